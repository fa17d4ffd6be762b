// The review page's whole stylesheet, inlined into each page: one request, no build step.
export const CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #fff; --line: #d0d7de;
  --agent: #eef4ff; --caller: #f3f9ef; --cut: #b42318; --focus: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --line: #30363d;
  --agent: #15233b; --caller: #17281a; --cut: #ff7b72; --focus: #58a6ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { border-bottom: 1px solid var(--line); padding-top: .75rem; padding-bottom: .5rem; }
header a { color: inherit; text-decoration: none; font-weight: 600; }
h1 { font-size: 1.5rem; margin: 1rem 0 .5rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
a { color: var(--focus); } a:focus-visible, input:focus-visible, select:focus-visible, button:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: var(--bg); padding: .25rem .5rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin: 1rem 0; }
form.filters label { display: flex; flex-direction: column; font-size: .875rem; color: var(--muted); }
input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); }
button { cursor: pointer; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .875rem; color: var(--muted); font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; }
.name { overflow-wrap: anywhere; max-width: 28rem; }
.status { font-size: .8rem; border: 1px solid var(--line); border-radius: 1rem; padding: 0 .5rem; white-space: nowrap; }
dl.meta, dl.outcome { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt, dl.outcome dt { color: var(--muted); } dl.meta dd, dl.outcome dd { margin: 0; overflow-wrap: anywhere; }
ol.transcript { list-style: none; padding: 0; }
ol.transcript li { margin: .5rem 0; padding: .5rem .75rem; border-radius: 8px; border: 1px solid var(--line); }
li.agent { background: var(--agent); margin-right: 15% !important; }
li.caller { background: var(--caller); margin-left: 15% !important; }
.speaker { font-weight: 700; margin-right: .5rem; }
.text { margin: .25rem 0; overflow-wrap: anywhere; }
del.cut { color: var(--cut); text-decoration-thickness: 2px; }
.cut-note { color: var(--cut); font-size: .8rem; font-weight: 600; }
.turn-meta { color: var(--muted); font-size: .8rem; margin: 0; }
table.latency { width: auto; margin: 0; } table.latency th, table.latency td { padding: 0 1rem .2rem 0; border: 0; }
table.latency th { font-size: inherit; font-weight: normal; color: var(--fg); }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
.empty { color: var(--muted); font-style: italic; }
nav.pager { margin: 1rem 0; display: flex; gap: 1rem; }
header nav { display: inline-flex; gap: 1rem; margin-left: 1.5rem; } header nav a { font-weight: normal; color: var(--focus); }
ol.dials { margin: 0; padding: 0; list-style: none; font-size: .875rem; }
`;
