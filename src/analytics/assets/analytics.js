/* global Chart, document, getComputedStyle */
// Draws /analytics: the server put each chart's labels and datasets in the page's JSON block (src/analytics/
// drawing.ts); this adds colours, axes and the Chart.js chart, one per <canvas data-chart="id">. Served from the app
// under a strict Content-Security-Policy (script-src 'self'): no inline script, no network request, no eval.
(function () {
  const source = document.getElementById('analytics-data');
  if (source === null || typeof Chart === 'undefined') return;
  const report = JSON.parse(source.textContent);

  // Okabe–Ito, then Tol's: told apart with the common colour-vision deficiencies, in light and dark mode.
  const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00'].concat([
    '#332288',
    '#882255',
    '#44aa99',
    '#999933',
    '#7f7f7f',
  ]);
  // Charts that share a colour key colour a series name alike (an outcome looks the same in every outcome chart);
  // the others colour their series in palette order.
  const shared = new Map();
  function colourOf(label, drawing, i) {
    if (drawing.colourKey === undefined) return PALETTE[i % PALETTE.length];
    const names = shared.get(drawing.colourKey) || new Map();
    shared.set(drawing.colourKey, names);
    if (!names.has(label)) names.set(label, PALETTE[names.size % PALETTE.length]);
    return names.get(label);
  }
  const css = getComputedStyle(document.documentElement);
  // Colours that mean something: good, warn, bad (fresh, partial, stale facts), and the page's own text colours.
  const TONES = {
    good: '#009e73',
    warn: '#e69f00',
    bad: '#d55e00',
    muted: css.getPropertyValue('--muted').trim(),
    strong: css.getPropertyValue('--fg').trim(),
  };
  Chart.defaults.color = css.getPropertyValue('--muted').trim() || '#57606a';
  Chart.defaults.borderColor = css.getPropertyValue('--line').trim() || '#d0d7de';
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", sans-serif';
  // Drawn at once: nothing moves on the page, and a screenshot or a test never sees a chart mid-animation.
  Chart.defaults.animation = false;

  function dataset(d, i, drawing) {
    const c = (d.tone && TONES[d.tone]) || colourOf(d.label, drawing, i);
    const line = (d.type || drawing.type) === 'line';
    return Object.assign({}, d, {
      backgroundColor: line ? c : c + 'cc',
      borderColor: c,
      borderWidth: line ? 2 : 0,
      pointRadius: line ? 3 : 0,
      pointStyle: d.showLine === false ? 'line' : 'circle',
      pointBorderWidth: d.showLine === false ? 3 : 1,
      spanGaps: true,
    });
  }

  function config(drawing) {
    const valueAxis = drawing.horizontal ? 'x' : 'y';
    const labelAxis = drawing.horizontal ? 'y' : 'x';
    const scales = {};
    scales[valueAxis] = {
      stacked: drawing.stacked,
      beginAtZero: true,
      title: { display: true, text: drawing.valueTitle },
    };
    // Days (YYYY-MM-DD) are shown as MM-DD, the year is in the filter, and may skip a label where they crowd; names
    // (plans, classes, gyms) are never skipped.
    const days = drawing.labels.length > 0 && drawing.labels.every((l) => /^\d{4}-\d\d-\d\d$/.test(l));
    const ticks = { autoSkip: days, maxRotation: 60 };
    if (days)
      ticks.callback = function (value) {
        return this.getLabelForValue(value).slice(5);
      };
    scales[labelAxis] = { stacked: drawing.stacked, ticks: ticks };
    return {
      type: drawing.type,
      data: { labels: drawing.labels, datasets: drawing.datasets.map((d, i) => dataset(d, i, drawing)) },
      options: {
        indexAxis: labelAxis,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'bottom' } },
        scales: scales,
      },
    };
  }

  for (const chart of report.charts) {
    const canvas = document.querySelector('canvas[data-chart="' + chart.id + '"]');
    if (canvas !== null) new Chart(canvas, config(chart.drawing));
  }
})();
