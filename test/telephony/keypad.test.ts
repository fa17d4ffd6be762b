// The in-band keypad over a real media stream: keys rendered by the addon, paced by the player, heard by a DTMF
// detector on the simulator's side (what the gym's phone system would hear), never cut by a barge-in's clear.
import t from 'tap';
import { createActor, toPromise } from 'xstate';
import { keypadActor } from '../../src/call/keypad-actor.js';
import type { ToneDetection } from '../../src/dsp/index.js';
import { quietLog } from './helpers.js';
import { FallbackKeypad } from '../../src/telephony/keypad/fallback.js';
import { InbandKeypad } from '../../src/telephony/keypad/inband.js';
import { KeysRejected, type KeypadPort } from '../../src/telephony/keypad/types.js';
import { waitFor } from '../support/wait.js';
import { chunked, connectSim, dsp, startServer, toneBytes } from './helpers.js';

/** The far end's ears: every key in the agent's audio. */
function ears(sim: { onAgentAudio(cb: (mulaw: Uint8Array) => void): void }): string[] {
  const keys: string[] = [];
  const det = dsp.createToneDetector({ dtmf: true, beep: false });
  sim.onAgentAudio((mulaw) => {
    for (const e of det.push(dsp.ulawDecode(mulaw)) ?? ([] as ToneDetection[]))
      if (e.kind === 'dtmf') keys.push(e.digit);
  });
  return keys;
}

t.test('in-band keys play on the stream, resolve when played, and the far end hears exactly them', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts);
  const heard = ears(sim);
  const h = await ts.nextHandler();
  const keypad = new InbandKeypad(h.transport.player, dsp);
  const t0 = performance.now();
  await keypad.pressKeys('20#');
  const ms = performance.now() - t0;
  t.ok(ms >= 550, `resolved after the tones played (${ms.toFixed(0)} ms for 600 ms of keys)`);
  await waitFor(() => heard.length === 3, { timeoutMs: 2000, what: 'three keys heard' });
  t.same(heard, ['2', '0', '#']);
  t.same(
    h.events.filter((e) => /^(started|played)/.test(e)),
    [],
    'keys are not utterances: the speaker never hears of them',
  );
  await t.rejects(keypad.pressKeys('9x'), KeysRejected, 'bad keys are refused before anything is sent');
  const end = await sim.hangUp();
  t.equal(end.badMessages, 0);
});

t.test('a barge-in clear during the keys cuts the speech around them, never the keys', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts);
  const heard = ears(sim);
  const h = await ts.nextHandler();
  const player = h.transport.player;
  const keypad = new InbandKeypad(player, dsp);
  // Keys queued behind speech: the clear drops the speech (Twilio clear sent) and the keys still play.
  player.enqueue({ utteranceId: 'u1', text: 'one moment', sampleRate: 8000, chunks: chunked(toneBytes(8000, 2000)) });
  const first = keypad.pressKeys('1');
  await waitFor(() => h.events.includes('started:u1'), { timeoutMs: 2000, what: 'speech started' });
  player.clear();
  await first;
  await waitFor(() => sim.report().clears === 1, { timeoutMs: 2000, what: 'Twilio clear for the speech' });
  // Keys on the line: a clear now must not reach Twilio, and every key arrives.
  const second = keypad.pressKeys('4567');
  await new Promise((r) => setTimeout(r, 250));
  const res = player.clear();
  player.clear();
  t.same(res.cancelled, [], 'nothing but keys was queued');
  await second;
  await waitFor(() => heard.length === 5, { timeoutMs: 2000, what: 'all keys heard' });
  t.same(heard, ['1', '4', '5', '6', '7']);
  t.equal(sim.report().clears, 1, 'no Twilio clear while keys were on the line');
  await sim.hangUp();
});

t.test('the call ending rejects a press; the fallback tries the next keypad, never after bad keys', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts);
  const h = await ts.nextHandler();
  const keypad = new InbandKeypad(h.transport.player, dsp);
  const pending = t.rejects(keypad.pressKeys('123456'), /call has ended/);
  await sim.hangUp();
  await pending;

  const calls: string[] = [];
  const failing: KeypadPort = {
    mode: 'twilio',
    pressKeys: async (k) => {
      calls.push(`twilio:${k}`);
      throw new Error('HTTP 500');
    },
  };
  const working: KeypadPort = {
    mode: 'inband',
    pressKeys: async (k) => void calls.push(`inband:${k}`),
  };
  const fb = new FallbackKeypad([failing, working], quietLog);
  t.equal(fb.mode, 'twilio');
  await fb.pressKeys('2');
  t.same(calls, ['twilio:2', 'inband:2']);
  const strict = new FallbackKeypad([new InbandKeypad({ playKeys: async () => {} }, dsp), working], quietLog);
  await t.rejects(strict.pressKeys('not keys'), KeysRejected);
  t.same(calls, ['twilio:2', 'inband:2'], 'bad keys go to no keypad');
});

t.test('every stream carries an in-band keypad; the keypad actor presses through it', async (t) => {
  const ts = await startServer();
  t.teardown(() => ts.close());
  const sim = await connectSim(ts);
  const heard = ears(sim);
  const h = await ts.nextHandler();
  t.equal(h.transport.keypad?.mode, 'inband');
  const actor = createActor(keypadActor(h.transport.keypad, quietLog), { input: { callId: 'c', digits: '0*' } });
  const done = toPromise(actor);
  actor.start();
  await done;
  await waitFor(() => heard.length === 2, { timeoutMs: 2000, what: 'keys heard' });
  t.same(heard, ['0', '*']);
  const none = createActor(keypadActor(undefined, quietLog), { input: { callId: 'c', digits: '1' } });
  const failed = toPromise(none);
  none.start();
  await t.rejects(failed, /no keypad/);
  await sim.hangUp();
});
