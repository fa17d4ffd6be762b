import t from 'tap';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { CallSession } from '../../src/call/session.js';
import type { CallLedger, CallRecorder } from '../../src/db/recorder.js';
import { createLogger } from '../../src/log.js';
import type { CallCost } from '../../src/costs/meter.js';
import { DEFAULT_PRICES } from '../../src/costs/prices.js';
import { RECORDING_NOTICE_LINE } from '../../src/recordings/notice.js';
import type { RecordingStore } from '../../src/recordings/store.js';
import type { RecordedAudio } from '../../src/recordings/tracks.js';
import type { OutboundPlayer } from '../../src/telephony/outbound-player.js';
import { CountingLlm, ScriptedAsr, ScriptedPlayer } from '../call/wrap-up-harness.js';
import { MockTts } from '../call/tts-prefetch-helpers.js';
import { waitFor } from '../support/wait.js';

// A real CallSession with recordings and cost: the greeting carries the notice where the number's jurisdiction
// wants it, the gym's frames reach the recording, and the ended call is priced (recognised seconds, TTS characters)
// and written through its ledger.

const log = createLogger('silent');

function call(phone: string, recording: boolean) {
  const saved: RecordedAudio[] = [];
  const writes: string[] = [];
  const costs: CallCost[] = [];
  const store = {
    roomNow: () => true,
    save: (_l: CallLedger, a: RecordedAudio) => (
      saved.push({ ...a, caller: a.caller.slice() }),
      Promise.resolve(undefined)
    ),
  } as unknown as RecordingStore;
  const ok = () => Promise.resolve('committed' as const);
  const ledger = {
    callId: 'rec-call',
    agentTurn: ok,
    callerTurn: ok,
    facts: ok,
    ended: ok,
    status: ok,
    write: (kind: string) => (writes.push(kind), ok()),
  };
  const recorder = { begin: () => ledger } as unknown as CallRecorder;
  const player = new ScriptedPlayer();
  const tts = new MockTts('elevenlabs');
  let ended = false;
  const t0 = performance.now();
  const start = {
    callSid: 'CA00000000000000000000000000000002',
    streamSid: 'MZ2',
    accountSid: 'AC1',
    tracks: ['inbound'],
    customParameters: { callId: 'rec-call', direction: 'outbound', gymName: 'Quick Fit' },
    startedAt: Date.now(),
  };
  const session = new CallSession(
    start,
    {
      start,
      player: player as unknown as OutboundPlayer,
      nowMs: () => Math.round(performance.now() - t0),
      close: () => undefined,
      log,
    },
    {
      providers: { asr: new ScriptedAsr(), llm: new CountingLlm(), tts },
      timing: DEFAULT_TIMING,
      log,
      recorder,
      ttsPrefetch: false,
      lookup: () => ({ phoneNumber: phone }),
      observer: { ended: () => void (ended = true) },
      extras: {
        prices: DEFAULT_PRICES,
        costed: (c) => costs.push(c),
        ...(recording ? { recordings: { store, notice: 'two-party' as const, maxCallMs: 60_000 } } : {}),
      },
    },
  );
  return { session, player, tts, saved, writes, costs, ended: () => ended };
}

t.test('a recorded call in California: notice, recording, cost', async (t) => {
  const c = call('+14155550123', true);
  await waitFor(() => c.player.said.length >= 1, { what: 'the greeting' });
  t.ok(c.player.said[0]?.endsWith(` ${RECORDING_NOTICE_LINE}`), 'the introduction ends with the notice');
  const frame = new Uint8Array(160).fill(0x11);
  for (let i = 0; i < 50; i++)
    c.session.onAudio({ mulaw: frame, pcm: new Int16Array(160), atMs: 1000 + i * 20, durationMs: 20 });
  c.session.onEnd('stop');
  await waitFor(() => c.ended() && c.saved.length === 1, { what: 'the call ended and its recording handed over' });
  const audio = c.saved[0]!;
  t.equal(audio.samples >= 16_000, true, 'at least up to the last frame');
  t.equal(audio.caller[8000], 0x11, "the gym's frame at 1 s");
  t.equal(audio.caller[8000 - 1], 0xff, 'silence before it');
  const cost = c.costs[0]!;
  t.equal(cost.asrSeconds, 1, 'one second of caller audio recognised');
  t.equal(cost.twilioMinutes, 1);
  const spoken = c.tts.calls.reduce((n, x) => n + x.text.length, 0);
  t.equal(cost.ttsCharacters, spoken, 'every character sent to synthesis');
  t.same(cost.providers.tts, ['elevenlabs']);
  t.ok(c.writes.includes('cost'), 'the cost written through the call ledger');
});

t.test('Texas under two-party: recorded without a notice; recording off: no notice', async (t) => {
  const tx = call('+15125550123', true);
  await waitFor(() => tx.player.said.length >= 1, { what: 'the greeting' });
  t.notOk(tx.player.said[0]?.includes(RECORDING_NOTICE_LINE));
  tx.session.onEnd('stop');
  const off = call('+14155550123', false);
  await waitFor(() => off.player.said.length >= 1, { what: 'the greeting' });
  t.notOk(off.player.said[0]?.includes(RECORDING_NOTICE_LINE), 'not recorded: nothing to announce');
  off.session.onEnd('stop');
  await waitFor(() => tx.ended() && off.ended(), { what: 'both ended' });
  t.equal(off.saved.length, 0);
  t.equal(tx.saved.length, 1);
});
