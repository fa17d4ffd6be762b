import t from 'tap';
import { createActor, setup } from 'xstate';
import type { AsrEvent } from '../../machines/events.js';
import { AudioTap, asrActor } from '../../src/call/asr-actor.js';
import { createLogger } from '../../src/log.js';
import type { AsrOpenOptions, AsrProvider } from '../../src/providers/asr/types.js';

// The asr actor joins the pauses in her voice (AudioTap.pause) with the recogniser's interims: ASR.STABLE carries
// the interim words in hand while she pauses, once per text; a final clears them; the stream hears the pause.

async function start() {
  let onEvent: AsrOpenOptions['onEvent'] = () => undefined;
  const pauses: boolean[] = [];
  const provider: AsrProvider = {
    name: 'test',
    capabilities: {} as AsrProvider['capabilities'],
    open: async (o) => {
      onEvent = o.onEvent;
      return {
        push: () => undefined,
        finalize: () => undefined,
        voicePause: (p) => pauses.push(p),
        close: async () => undefined,
      };
    },
  };
  const tap = new AudioTap();
  const got: AsrEvent[] = [];
  const machine = setup({ actors: { asr: asrActor(provider, tap, createLogger('silent')) } }).createMachine({
    invoke: { src: 'asr', input: { callId: 'c1' } },
    on: { '*': { actions: ({ event }) => got.push(event as AsrEvent) } },
  });
  const actor = createActor(machine).start();
  await new Promise((r) => setImmediate(r));
  const stable = () => got.filter((e) => e.type === 'ASR.STABLE').map((e) => (e as { text: string }).text);
  return { tap, got, stable, pauses, emit: (e: Parameters<AsrOpenOptions['onEvent']>[0]) => onEvent(e), actor };
}

t.test('a pause with interim words in hand, or an interim during a pause, makes one ASR.STABLE per text', async (t) => {
  const s = await start();
  s.emit({ type: 'partial', text: 'we open', confidence: 0.9 });
  t.same(s.stable(), [], 'no pause yet: only the partial');
  s.tap.pause(true);
  t.same(s.stable(), ['we open'], 'at the pause');
  t.same(s.pauses, [true], 'the stream heard the pause');
  s.emit({ type: 'partial', text: 'we open', confidence: 0.9 });
  t.same(s.stable(), ['we open'], 'the same words again: not repeated');
  s.emit({ type: 'partial', text: 'we open at six', confidence: 0.9 });
  t.same(s.stable(), ['we open', 'we open at six'], 'new words during the pause');
  s.tap.pause(false);
  s.emit({ type: 'partial', text: 'we open at six on weekdays', confidence: 0.9 });
  t.same(s.stable().length, 2, 'her voice went on: interims are only partials');
  s.emit({
    type: 'final',
    text: 'we open at six on weekdays',
    confidence: 0.9,
    speechFinal: true,
    startMs: 0,
    endMs: 1,
  });
  s.tap.pause(true);
  t.same(s.stable().length, 2, 'after the final no interim is in hand: nothing');
  s.actor.stop();
});
