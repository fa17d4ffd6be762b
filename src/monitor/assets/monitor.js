// The live monitor page (GET /monitor): every live call of this replica from the server's event stream
// (GET /monitor/events, Server-Sent Events), listen-in over a WebSocket (μ-law decoded here, played with WebAudio),
// and the hang-up button. Plain browser JavaScript, served by the app itself: no build step, no CDN, no inline
// script. Text from the server is only ever set as textContent. Protocol: src/monitor/views.ts (events) and
// src/monitor/listening.ts (audio).
'use strict';

(() => {
  const calls = new Map(); // callId → { view, el }
  const listeners = new Map(); // callId → { ws, stop() }
  const $ = (id) => document.getElementById(id);

  // ---- the event stream --------------------------------------------------------------------------------------

  function connect() {
    const es = new EventSource('/monitor/events');
    const on = (name, fn) => es.addEventListener(name, (m) => fn(JSON.parse(m.data)));
    es.addEventListener('open', () => connection('Live: changes appear as they happen.', false));
    es.addEventListener('error', () => connection('Connection lost; reconnecting…', true));
    on('full', () => connection('Too many pages are watching this replica; retrying shortly…', true));
    on('snapshot', (d) => {
      replica(d.replica);
      for (const id of [...calls.keys()]) if (!d.calls.some((c) => c.callId === id)) remove(id);
      for (const v of d.calls) upsert(v);
    });
    on('replica', replica);
    on('call', upsert);
    on('state', (d) => withCall(d.callId, (c) => ((c.view.state = d.state), drawHeader(c))));
    on('live', (d) => withCall(d.callId, (c) => ((c.view.live = d.live), drawNow(c))));
    on('turn', (d) =>
      withCall(d.callId, (c) => {
        placeTurn(c, d.turn);
        c.view.live = d.live;
        drawNow(c);
      }),
    );
    on('latency', (d) => withCall(d.callId, (c) => (c.view.latency.push(d.latency), drawLatency(c))));
    on('ended', (d) => withCall(d.callId, (c) => ((c.view.ended = d.ended), drawHeader(c), drawNow(c))));
    on('gone', (d) => remove(d.callId));
    on('levels', (levels) => {
      for (const [id, [gym, agent]] of Object.entries(levels))
        withCall(id, (c) => {
          c.el.meters.caller.value = gym;
          c.el.meters.agent.value = agent;
        });
    });
  }

  function connection(text, down) {
    const p = $('connection');
    p.textContent = text;
    p.classList.toggle('down', down);
  }

  function replica(r) {
    const where = `Replica ${r.name}.`;
    let text;
    if (r.elsewhere === 'single') text = `${where} The only one: every live call is here.`;
    else if (r.elsewhere === null)
      text = `${where} This page shows the calls this replica runs. Calls that other replicas run are not shown here.`;
    else
      text = `${where} This page shows the calls this replica runs. ${r.elsewhere} live call${r.elsewhere === 1 ? '' : 's'} on other replicas, not shown here.`;
    $('replica').textContent = text;
  }

  function withCall(id, fn) {
    const c = calls.get(id);
    if (c !== undefined) fn(c);
  }

  // ---- drawing -----------------------------------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  }

  function upsert(view) {
    let c = calls.get(view.callId);
    if (c === undefined) {
      c = { view, el: skeleton(view) };
      calls.set(view.callId, c);
      $('calls').prepend(c.el.section);
    }
    c.view = view;
    drawHeader(c);
    c.el.transcript.replaceChildren(...view.turns.map(turnItem));
    if (view.turnsDropped > 0)
      c.el.transcript.prepend(el('li', { class: 'empty' }, `${view.turnsDropped} earlier turns not shown`));
    c.el.now = [];
    drawNow(c);
    drawLatency(c);
    $('none').hidden = calls.size > 0;
  }

  function remove(id) {
    const c = calls.get(id);
    if (c === undefined) return;
    listeners.get(id)?.stop();
    c.el.section.remove();
    calls.delete(id);
    $('none').hidden = calls.size > 0;
  }

  function skeleton(view) {
    const headingId = `call-${calls.size}-${Date.now()}`;
    const dd = (role) => el('dd', { 'data-role': role });
    const meter = (leg, label) =>
      el(
        'label',
        {},
        `${label} `,
        el('meter', { min: '-70', max: '0', low: '-45', high: '-6', value: '-70', 'data-leg': leg }),
      );
    const listen = el('button', { type: 'button', 'data-role': 'listen' }, 'Listen in');
    const hangup = el('button', { type: 'button', class: 'hangup', 'data-role': 'hangup' }, 'Hang up');
    const heard = el('meter', { min: '0', max: '1', value: '0', 'data-role': 'heard', title: 'Level you hear' });
    const section = el(
      'section',
      { class: 'call', 'aria-labelledby': headingId, 'data-call-id': view.callId },
      el('h2', { id: headingId }),
      el(
        'dl',
        { class: 'call-meta' },
        el('div', {}, el('dt', {}, 'Direction'), dd('direction')),
        el('div', {}, el('dt', {}, 'State'), el('dd', { class: 'state', 'data-role': 'state' })),
        el('div', {}, el('dt', {}, 'Started'), dd('started')),
        el('div', {}, el('dt', {}, 'Providers'), dd('providers')),
        el('div', {}, el('dt', {}, 'Ended'), dd('ended')),
      ),
      el('div', { class: 'meters' }, meter('caller', 'Gym'), meter('agent', 'Agent')),
      el('div', { class: 'actions' }, listen, hangup, el('label', { hidden: '' }, 'Listening ', heard)),
      el('p', { class: 'latency-list', 'data-role': 'latency' }),
      el('ol', { class: 'transcript', 'data-role': 'transcript', 'aria-live': 'polite' }),
    );
    listen.addEventListener('click', () => toggleListen(view.callId, listen, heard));
    hangup.addEventListener('click', () => hangUp(view.callId, hangup));
    const q = (role) => section.querySelector(`[data-role="${role}"]`);
    return {
      section,
      heading: section.querySelector('h2'),
      meta: {
        direction: q('direction'),
        state: q('state'),
        started: q('started'),
        providers: q('providers'),
        ended: q('ended'),
      },
      meters: {
        caller: section.querySelector('[data-leg="caller"]'),
        agent: section.querySelector('[data-leg="agent"]'),
      },
      buttons: { listen, hangup },
      latency: q('latency'),
      transcript: q('transcript'),
      now: [],
    };
  }

  function drawHeader(c) {
    const v = c.view;
    c.el.heading.textContent = v.gymName || 'Unknown gym';
    c.el.meta.direction.textContent = v.direction;
    c.el.meta.state.textContent = v.state || '—';
    c.el.meta.started.textContent = new Date(v.startedAt).toLocaleTimeString();
    c.el.meta.providers.textContent = `${v.providers.asr} · ${v.providers.llm} · ${v.providers.tts}`;
    c.el.meta.ended.textContent = v.ended ? `${v.ended.reason}${v.ended.outcome ? ` (${v.ended.outcome})` : ''}` : 'no';
    c.el.section.classList.toggle('ended', v.ended !== null);
    c.el.buttons.hangup.disabled = v.ended !== null;
    c.el.buttons.listen.disabled = v.ended !== null && !listeners.has(v.callId);
  }

  /** A turn in its place by seq (views.ts turn): late words of a turn committed before them replace it there. */
  function placeTurn(c, t) {
    const turns = c.view.turns;
    const at = turns.findIndex((x) => x.seq >= t.seq);
    const item = turnItem(t);
    const there = at < 0 ? null : c.el.transcript.querySelector(`li[data-seq="${turns[at].seq}"]`);
    const same = at >= 0 && turns[at].seq === t.seq;
    if (at < 0) turns.push(t);
    else turns.splice(at, same ? 1 : 0, t);
    if (there === null) c.el.transcript.insertBefore(item, c.el.now[0] ?? null);
    else if (same) there.replaceWith(item);
    else there.before(item);
  }

  function turnItem(t) {
    const speaker = t.speaker === 'agent' ? 'Agent' : t.situation ? `Gym (${t.situation})` : 'Gym';
    const li = el('li', { class: t.speaker, 'data-seq': String(t.seq) }, el('span', { class: 'speaker' }, speaker));
    if (t.speaker === 'agent' && t.interrupted && t.heard !== t.text) {
      li.append(
        el('p', { class: 'text' }, t.heard, ' ', el('del', { class: 'cut' }, t.text.slice(t.heard.length).trim())),
      );
      li.append(el('p', { class: 'cut-note' }, 'cut off'));
    } else li.append(el('p', { class: 'text' }, t.text));
    return li;
  }

  /** What is being said now: the gym's words so far (the interim guess greyed) and the agent's started sentences. */
  function drawNow(c) {
    for (const e of c.el.now) e.remove();
    c.el.now = [];
    const { hearing, saying } = c.view.live;
    if (saying.length > 0)
      c.el.now.push(
        el(
          'li',
          { class: 'agent now' },
          el('span', { class: 'speaker' }, 'Agent (speaking)'),
          el('p', { class: 'text' }, saying.join(' ')),
        ),
      );
    if (hearing.finals.length > 0 || hearing.interim !== '')
      c.el.now.push(
        el(
          'li',
          { class: 'caller now' },
          el('span', { class: 'speaker' }, 'Gym (speaking)'),
          el('p', { class: 'text' }, hearing.finals.join(' '), ' ', el('span', { class: 'interim' }, hearing.interim)),
        ),
      );
    c.el.transcript.append(...c.el.now);
  }

  function drawLatency(c) {
    const last = c.view.latency.slice(-6);
    if (last.length === 0) {
      c.el.latency.textContent = 'Latency per reply: none yet.';
      return;
    }
    const one = (l) => {
      const parts = [];
      if (l.responseGapMs !== null) parts.push(`response gap ${l.responseGapMs} ms`);
      if (l.endOfTurnToFirstAudioMs !== null) parts.push(`end of turn → first audio ${l.endOfTurnToFirstAudioMs} ms`);
      if (l.stages !== null) parts.push(`(LLM ${l.stages.llm} · TTS ${l.stages.tts} ms)`);
      return parts.join(' ');
    };
    c.el.latency.textContent = `Latency per reply, latest last: ${last.map(one).join('; ')}`;
  }

  // ---- actions -----------------------------------------------------------------------------------------------

  async function post(path) {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error?.message ?? `the server answered ${r.status}`);
    return body;
  }

  async function hangUp(callId, button) {
    if (!window.confirm('Hang up this call now? The agent stops at once, without a goodbye.')) return;
    button.disabled = true;
    try {
      await post(`/monitor/calls/${encodeURIComponent(callId)}/hangup`);
      button.textContent = 'Hanging up…';
    } catch (e) {
      button.disabled = false;
      connection(`Hang-up failed: ${e.message}`, true);
    }
  }

  // ---- listen-in ---------------------------------------------------------------------------------------------

  /** G.711 μ-law → linear, scaled to [-1, 1). */
  const ULAW = new Float32Array(256);
  for (let b = 0; b < 256; b++) {
    const u = ~b & 0xff;
    const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
    ULAW[b] = (u & 0x80 ? 0x84 - t : t - 0x84) / 32768;
  }
  const RATE = 8000;
  /** Audio is scheduled this far ahead when a leg starts or ran dry: network jitter up to it costs no gap. */
  const JITTER_S = 0.12;
  /** A leg more than this ahead of the clock is dropped rather than heard ever later. */
  const MAX_AHEAD_S = 1.0;

  let audio;
  function audioGraph() {
    if (audio !== undefined) return audio;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    analyser.connect(context.destination);
    // The gym on the left, the agent on the right, as in the call recordings.
    const pan = (x) => {
      const p = context.createStereoPanner();
      p.pan.value = x;
      p.connect(analyser);
      return p;
    };
    audio = { context, analyser, legs: [pan(-0.6), pan(0.6)] };
    // For the browser console: window.gymMonitor.audio.analyser is what the "Listening" meter reads.
    window.gymMonitor = { audio };
    return audio;
  }

  function legPlayer(a, out) {
    let next = 0;
    return (samples) => {
      const now = a.context.currentTime;
      if (next < now + 0.02) next = now + JITTER_S;
      if (next > now + MAX_AHEAD_S) return;
      const buffer = a.context.createBuffer(1, samples.length, RATE);
      buffer.copyToChannel(samples, 0);
      const src = a.context.createBufferSource();
      src.buffer = buffer;
      src.connect(out);
      src.start(next);
      next += samples.length / RATE;
    };
  }

  async function toggleListen(callId, button, heard) {
    const current = listeners.get(callId);
    if (current !== undefined) return current.stop();
    button.disabled = true;
    const a = audioGraph();
    // Within the click (a user gesture), not awaited: frames scheduled meanwhile play once the audio clock runs.
    a.context.resume().catch((e) => connection(`Audio could not start: ${e.message}`, true));
    let ticket;
    try {
      ticket = (await post(`/monitor/calls/${encodeURIComponent(callId)}/listen`)).ticket;
    } catch (e) {
      button.disabled = false;
      connection(`Listen-in failed: ${e.message}`, true);
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/monitor/calls/${encodeURIComponent(callId)}/listen`;
    const ws = new WebSocket(url, ['gym-monitor-listen.v1', `ticket.${ticket}`]);
    ws.binaryType = 'arraybuffer';
    const play = [legPlayer(a, a.legs[0]), legPlayer(a, a.legs[1])];
    const level = new Float32Array(a.analyser.fftSize);
    const meter = setInterval(() => {
      a.analyser.getFloatTimeDomainData(level);
      let sum = 0;
      for (const x of level) sum += x * x;
      heard.value = Math.min(1, 4 * Math.sqrt(sum / level.length));
    }, 100);
    const stop = () => {
      clearInterval(meter);
      listeners.delete(callId);
      heard.parentElement.hidden = true;
      button.textContent = 'Listen in';
      withCall(callId, drawHeader);
      if (ws.readyState <= WebSocket.OPEN) ws.close(1000);
    };
    listeners.set(callId, { ws, stop });
    ws.addEventListener('open', () => {
      button.disabled = false;
      button.textContent = 'Stop listening';
      heard.parentElement.hidden = false;
    });
    ws.addEventListener('message', (m) => {
      const bytes = new Uint8Array(m.data);
      for (let at = 0; at + 3 <= bytes.length;) {
        const leg = bytes[at];
        const n = (bytes[at + 1] << 8) | bytes[at + 2];
        const samples = new Float32Array(n);
        for (let i = 0; i < n; i++) samples[i] = ULAW[bytes[at + 3 + i]];
        play[leg === 1 ? 1 : 0](samples);
        at += 3 + n;
      }
    });
    ws.addEventListener('close', (e) => {
      if (e.code !== 1000) connection(`Listen-in closed: ${e.reason || `code ${e.code}`}`, true);
      button.disabled = false;
      stop();
    });
  }

  connect();
})();
