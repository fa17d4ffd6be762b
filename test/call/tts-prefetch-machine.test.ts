import t from 'tap';
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate';
import { callMachine } from '../../machines/call.machine.js';
import { greetingLines } from '../../machines/text.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { replyActor } from '../../src/call/reply-actor.js';
import { speakerActor } from '../../src/call/speaker-actor.js';
import { TtsPrefetch } from '../../src/call/tts-prefetch.js';
import type { LlmChunk, LlmProvider } from '../../src/providers/llm/types.js';
import type { OutboundPlayer } from '../../src/telephony/outbound-player.js';
import { waitFor } from '../support/wait.js';
import { log, MockTts, RecordingPlayer } from './tts-prefetch-helpers.js';

// The real call machine with the real reply and speaker actors and one TtsPrefetch, as CallSession wires them:
// the machine's preemptive generation holds the reply's sentences, the reply actor prefetches their speech, and
// only what the machine says (after its repeat guards) is taken. Provider fakes count the TTS requests.

/** Plays each utterance at once: started, then played, as Twilio's mark echoes would report. */
class InstantPlayer extends RecordingPlayer {
  override enqueue(a: Parameters<RecordingPlayer['enqueue']>[0]): void {
    this.listener.started?.(a.utteranceId, a.text);
    super.enqueue(a);
  }
}

function llmSaying(text: string): LlmProvider & { aborted: number } {
  const llm = {
    name: 'scripted',
    capabilities: { streaming: true, tools: false },
    aborted: 0,
    async *respond(_input: unknown, signal: AbortSignal): AsyncIterable<LlmChunk> {
      signal.addEventListener('abort', () => llm.aborted++, { once: true });
      for (const delta of text.split(/(?<= )/)) {
        await new Promise((r) => setImmediate(r));
        yield { type: 'text', delta };
      }
      yield { type: 'done', finishReason: 'stop' };
    },
  };
  return llm;
}

function call(llm: LlmProvider) {
  const tts = new MockTts();
  const prefetch = new TtsPrefetch(tts, { log });
  const [intro, question] = greetingLines('inbound', 'Iron Temple');
  prefetch.start(intro);
  prefetch.start(question);
  const player = new InstantPlayer();
  const clock = new SimulatedClock();
  const machine = callMachine.provide({
    actors: {
      asr: fromCallback(() => {}),
      reply: replyActor(llm, log, {}, undefined, prefetch),
      speaker: speakerActor(tts, player as unknown as OutboundPlayer, () => clock.now(), log, {}, prefetch),
      hangup: fromPromise(async () => {}),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: { callId: 'c1', direction: 'inbound', gymName: 'Iron Temple', timing: DEFAULT_TIMING },
  });
  actor.start();
  const callerSays = (text: string) => {
    actor.send({ type: 'VAD.VOICE', atMs: clock.now() });
    clock.increment(800);
    actor.send({ type: 'ASR.FINAL', text, confidence: 0.9, speechFinal: true, startMs: 0, endMs: clock.now() });
    actor.send({ type: 'VAD.SILENCE', atMs: clock.now() });
  };
  return { tts, prefetch, player, clock, actor, callerSays };
}

t.test(
  'greeting and a held reply sentence are spoken from the prefetch; a sentence the guards replace is freed',
  async (t) => {
    const llm = llmSaying('Thanks. What are your opening hours?');
    const c = call(llm);
    c.actor.send({ type: 'MEDIA.START' });
    await waitFor(() => c.player.played.size === 2, { intervalMs: 0, what: 'the greeting to play' });
    t.equal(c.tts.calls.length, 2, 'the two greeting lines: no request at their SAY');
    t.equal(c.prefetch.stats.hits, 2);

    c.callerSays('We are open six to ten every day.');
    await waitFor(() => c.tts.calls.length === 4, { intervalMs: 0, what: 'the held sentences to be prefetched' });
    t.same(
      c.tts.calls.slice(2).map((x) => x.text),
      ['Thanks.', 'What are your opening hours?'],
      'both held sentences synthesised before the end of the turn',
    );
    t.equal(c.player.played.size, 2, 'nothing of the speculative reply was played');
    c.clock.increment(DEFAULT_TIMING.endpointShortMs);
    await waitFor(() => c.player.played.size === 4, { intervalMs: 0, what: 'the reply to play' });
    const thanksRequest = c.tts.calls.findIndex((x) => x.text === 'Thanks.') + 1;
    t.same([...c.player.played.values()][2], new Array(3 * 320).fill(thanksRequest), '"Thanks." from its prefetch');
    const said = c.tts.calls.slice(4).map((x) => x.text);
    t.equal(said.length, 1, 'one request at the SAYs: the sentence the repeat guard put in place of the asked one');
    t.not(said[0], 'What are your opening hours?');
    await waitFor(() => c.prefetch.size === 0, {
      intervalMs: 0,
      what: 'the prefetch of the replaced question to be freed',
    });
    const replaced = c.tts.calls.find((x) => x.text === 'What are your opening hours?' && x !== c.tts.calls[1]);
    t.ok(replaced?.signal.aborted, 'its request aborted');
    t.equal(c.prefetch.bufferedBytes, 0);
    c.actor.stop();
  },
);

t.test('the caller resumes speaking: the speculation and its prefetched speech are aborted', async (t) => {
  const llm = llmSaying('Great, six it is.');
  const c = call(llm);
  c.actor.send({ type: 'MEDIA.START' });
  await waitFor(() => c.player.played.size === 2, { intervalMs: 0, what: 'the greeting to play' });
  c.callerSays('We open at six.');
  await waitFor(() => c.tts.calls.length === 3, { intervalMs: 0, what: 'the held sentence to be prefetched' });
  c.actor.send({ type: 'VAD.VOICE', atMs: c.clock.now() });
  c.clock.increment(300);
  t.equal(llm.aborted, 1, 'the LLM request aborted');
  t.ok(c.tts.calls[2]?.signal.aborted, 'the prefetched TTS request aborted');
  t.equal(c.prefetch.size, 0, 'and freed');
  t.equal(c.player.played.size, 2, 'nothing played');
  c.actor.stop();
});
