import t from 'tap';
import { heardPrefix } from '../../src/telephony/heard-text.js';
import { DEFAULT_LEAD_MS } from '../../src/telephony/outbound-player.js';
import { waitFor } from '../support/wait.js';
import { chunked, connectSim, dsp, startServer, toneBytes } from './helpers.js';

t.test('heard text is cut at whole words, never claiming a word that was not finished', async (t) => {
  const s = 'What are your opening hours on Sunday?';
  t.equal(heardPrefix(s, 0), '');
  t.equal(heardPrefix(s, 0.1), '', '"What" not finished yet');
  t.equal(heardPrefix(s, 0.12), 'What');
  t.equal(heardPrefix(s, 0.17), 'What', 'half of "are" is not "are"');
  t.equal(heardPrefix(s, 0.5), 'What are your');
  t.equal(heardPrefix(s, 1), s);
});

t.test('outbound audio: resampled, paced on the 20 ms grid with a small lead, marks echoed as it plays', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts);
  const h = await ts.nextHandler();
  const text = 'Hi, this is the assistant calling about your opening hours.';
  const t0 = performance.now();
  // 24 kHz TTS audio, 1.5 s, in odd-sized chunks.
  h.transport.player.enqueue({ utteranceId: 'u1', text, sampleRate: 24000, chunks: chunked(toneBytes(24000, 1500)) });
  await waitFor(() => h.events.includes('played:u1'), { timeoutMs: 5000, what: 'played:u1' });
  const elapsed = performance.now() - t0;
  t.ok(elapsed >= 1400, `played only after real-time playback (${elapsed.toFixed(0)} ms for 1500 ms of audio)`);

  const arrivals = sim.agentArrivals;
  // 1.5 s at 8 kHz = 75 frames of 20 ms, plus at most one for the resampler's tail.
  t.ok(arrivals.length >= 75 && arrivals.length <= 76, `${arrivals.length} frames`);
  // After the initial lead burst, frame k should arrive at first + k*20 ms minus the lead.
  // After the initial lead burst, frame k is sent at k*20 ms minus the lead. Measured against the
  // median offset so one late start does not shift the whole grid; the machine may be busy with other tests,
  // so the bound is on the typical frame, and drift is checked separately.
  const first = arrivals[0] as number;
  const burst = DEFAULT_LEAD_MS / 20 + 1;
  const steady = arrivals.slice(burst).map((a, i) => a - (i + burst) * 20);
  const offset = [...steady].sort((a, b) => a - b)[Math.floor(steady.length / 2)] as number;
  const devs = steady.map((x) => Math.abs(x - offset)).sort((a, b) => a - b);
  const p50 = devs[Math.floor(devs.length * 0.5)] as number;
  const p80 = devs[Math.floor(devs.length * 0.8)] as number;
  t.ok(p50 <= 3 && p80 <= 8, `on the 20 ms grid: median ${p50.toFixed(2)} ms, p80 ${p80.toFixed(2)} ms`, {
    devs: devs.map((d) => d.toFixed(1)).join(' '),
  });
  const span = (arrivals.at(-1) as number) - (arrivals[burst] as number);
  const ideal = (arrivals.length - 1 - burst) * 20;
  t.ok(Math.abs(span - ideal) <= 40, `no drift: ${span.toFixed(0)} ms for ${ideal} ms of frames`);
  // The lead at Twilio: frames sent before real time catches up. The receiving side stamps arrivals on a loaded event
  // loop, and a late stamp of the first frames shifts every later frame's figure by the same amount (186 ms against
  // a 160 ms lead on a loaded CI run), so the bound on it is loose; the burst is counted too: the frames that arrive
  // with the first (9; a late first stamp lets the next few paced frames join it: 11 on a loaded run). Without
  // pacing both would be the whole 1.5 s (75 frames).
  const ahead = Math.max(...arrivals.map((a, k) => first + k * 20 - a));
  const burstFrames = arrivals.filter((a) => a - first < 10).length;
  t.ok(
    burstFrames <= DEFAULT_LEAD_MS / 20 + 4 && ahead <= DEFAULT_LEAD_MS + 200,
    `a small lead at Twilio: ${burstFrames} frames at once, at most ${ahead.toFixed(0)} ms ahead (lead ${DEFAULT_LEAD_MS} ms)`,
  );

  const progress = h.events.filter((e) => e.startsWith('progress:u1:'));
  t.ok(progress.length >= 6, `a progress mark about every 200 ms (${progress.length})`);
  const heard = progress.map((e) => e.slice('progress:u1:'.length));
  t.ok(
    heard.every((x, i) => i === 0 || x.length >= (heard[i - 1] as string).length),
    'heard text only grows',
  );
  t.equal(heard.at(-1), text, 'the final mark reports the whole utterance heard');
  const dur = Number(h.events.find((e) => e.startsWith('duration:u1:'))?.split(':')[2]);
  t.ok(dur >= 1500 && dur <= 1520, `duration reported once synthesis finished (${dur} ms)`);
  t.same(
    h.events.filter((e) => /^(started|played)/.test(e)),
    ['started:u1', 'played:u1'],
  );
  const report = await sim.hangUp();
  t.equal(report.lastUtteranceFinished, true);
  t.equal(report.badMessages, 0, 'everything the server sent was valid Twilio JSON');
  t.equal(report.underruns, 0, 'no audible gaps');
});

t.test('clear on barge-in: queued audio dropped here and at Twilio, pending marks echo at once', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts);
  const h = await ts.nextHandler();
  const player = h.transport.player;
  player.enqueue({
    utteranceId: 'long',
    text: 'one two three four five six seven eight nine ten',
    sampleRate: 16000,
    chunks: chunked(toneBytes(16000, 3000)),
  });
  player.enqueue({
    utteranceId: 'next',
    text: 'never heard',
    sampleRate: 16000,
    chunks: chunked(toneBytes(16000, 1000)),
  });
  await waitFor(() => h.events.filter((e) => e.startsWith('progress:long')).length >= 3, {
    timeoutMs: 5000,
    what: 'some progress',
  });
  const res = player.clear();
  t.equal(res.interrupted?.utteranceId, 'long');
  t.ok(
    (res.interrupted?.heardMs ?? 0) > 400 && (res.interrupted?.heardMs ?? 0) < 2000,
    `heard ${res.interrupted?.heardMs} ms`,
  );
  t.ok((res.interrupted?.heardText ?? '').startsWith('one two'), `heard "${res.interrupted?.heardText}"`);
  t.same(res.cancelled, ['next']);
  t.ok(res.droppedMs > 1500, `dropped ${res.droppedMs} ms`);
  await waitFor(() => sim.report().clears === 1, { timeoutMs: 2000, what: 'clear at the simulator' });
  const r = sim.report();
  t.ok(
    r.droppedByClearMs > 0 && r.droppedByClearMs <= 200,
    `Twilio held ≤ lead+frame when cleared (${r.droppedByClearMs} ms)`,
  );
  const framesAtClear = r.agentFrames;
  await new Promise((r) => setTimeout(r, 300));
  t.equal(sim.report().agentFrames, framesAtClear, 'nothing more is sent after clear');
  t.notOk(h.events.includes('played:long'), 'a cleared utterance is never reported as played');
  t.notOk(h.events.includes('played:next'));
  t.notOk(player.busy, 'player idle after clear');

  // The call goes on: the next utterance plays from a fresh schedule.
  player.enqueue({
    utteranceId: 'after',
    text: 'sorry, go ahead',
    sampleRate: 8000,
    chunks: chunked(toneBytes(8000, 400), 333),
  });
  await waitFor(() => h.events.includes('played:after'), { timeoutMs: 3000, what: 'played:after' });
  const end = await sim.hangUp();
  t.equal(end.lastUtteranceFinished, true);
  t.equal(end.badMessages, 0);
});

t.test('inbound: μ-law reaches the handler as received, PCM decoded, dtmf, stop', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts, { speed: 4 });
  const h = await ts.nextHandler();
  const speech = new Int16Array(800);
  for (let i = 0; i < speech.length; i++) speech[i] = Math.round(6000 * Math.sin(i / 5));
  await sim.say(speech);
  sim.dtmf('5');
  await waitFor(() => h.dtmf.length === 1, { timeoutMs: 2000, what: 'dtmf' });
  const nonSilent = h.audio.filter((a) => a.mulaw.some((b) => b !== 0xff));
  t.equal(nonSilent.length, 5, '800 samples = 5 frames of caller audio');
  const expected = dsp.ulawEncode(speech);
  t.same([...(nonSilent[0]?.mulaw ?? [])], [...expected.subarray(0, 160)], 'μ-law passed through unchanged');
  t.same([...(nonSilent[0]?.pcm ?? [])], [...dsp.ulawDecode(expected.subarray(0, 160))], 'PCM decoded by the addon');
  t.ok(
    h.audio.every((a, i) => i === 0 || a.atMs === (h.audio[i - 1]?.atMs ?? 0) + 20),
    'stream timestamps every 20 ms',
  );
  t.same(h.dtmf, ['5']);
  const report = await sim.hangUp();
  t.equal(await h.endedP, 'stop');
  t.equal(report.turns.length, 1);
  t.equal(ts.capacity.active, 0, 'the call slot was released when the stream ended');
});

t.test('simulator records both legs to a stereo WAV: caller left, agent (as played) right', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts, { record: true });
  const h = await ts.nextHandler();
  await sim.say(new Int16Array(1600).fill(4000));
  h.transport.player.enqueue({ utteranceId: 'a', text: 'ok', sampleRate: 8000, chunks: chunked(toneBytes(8000, 400)) });
  await waitFor(() => h.events.includes('played:a'), { timeoutMs: 3000, what: 'played' });
  await sim.hangUp();
  const wav = sim.wav();
  t.equal(wav.toString('ascii', 0, 4), 'RIFF');
  t.equal(wav.toString('ascii', 8, 12), 'WAVE');
  t.equal(wav.readUInt16LE(22), 2, 'stereo');
  t.equal(wav.readUInt32LE(24), 8000);
  const frames = (wav.length - 44) / 4;
  t.equal(frames % 160, 0, 'whole 20 ms ticks');
  let left = 0;
  let right = 0;
  for (let i = 0; i < frames; i++) {
    if (Math.abs(wav.readInt16LE(44 + i * 4)) > 1000) left++;
    if (Math.abs(wav.readInt16LE(46 + i * 4)) > 1000) right++;
  }
  t.ok(left >= 1500 && left <= 1700, `caller speech on the left (${left} samples)`);
  t.ok(right >= 1500 && right <= 3200, `agent tone on the right (${right} loud samples of 3200)`);
});
