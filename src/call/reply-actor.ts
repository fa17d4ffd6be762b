import { fromCallback, type EventObject } from 'xstate';
import type { ReplyEvent, ReplyInput } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { LlmProvider } from '../providers/llm/types.js';
import { replyEvents } from '../providers/sentences.js';
import type { PrefetchHandle, SpeechPrefetch } from './tts-prefetch.js';

// The `reply` actor: one LLM request per agent turn, cut into sentences as it streams so the first sentence
// reaches TTS before the model has finished. Stopping the actor (barge-in, hang-up, deadline) aborts the request.

/**
 * How a reply reaches the speaker. `streaming` (ours): each sentence as soon as it is complete. `whole-reply`
 * reproduces the original Python system for benchmarks: wait for the whole reply, pause, then speak it as one
 * utterance (one TTS request for everything).
 */
export type ReplyPolicy = { kind: 'streaming' } | { kind: 'whole-reply'; pauseMs: number };

/** Held sentences of a speculative reply whose speech is synthesised ahead (the first frame needs only the first). */
export const PREFETCH_HELD_SENTENCES = 2;

export interface ReplyHooks {
  /** The machine decided the caller's turn ended and asked for a reply (the start of server-added latency). */
  requested?(input: ReplyInput): void;
  firstSentence?(): void;
  /** The first chunk of the model's answer arrived (text or tool call): the provider's share of the latency. */
  firstChunk?(): void;
}

export function replyActor(
  llm: LlmProvider,
  log: Logger,
  hooks: ReplyHooks = {},
  policy: ReplyPolicy = { kind: 'streaming' },
  /** The call's TTS prefetch: the first held sentences of a speculative reply are synthesised while held. */
  prefetch?: SpeechPrefetch,
) {
  return fromCallback<EventObject, ReplyInput>(({ input, sendBack, receive }) => {
    const abort = new AbortController();
    const send = (e: ReplyEvent) => {
      if (!abort.signal.aborted) sendBack(e);
    };
    // A speculative reply (preemptive generation) answers nothing until the machine adopts it at the end of the
    // caller's turn: latency hooks count from then (a first chunk that came earlier is reported at adoption).
    let adopted = input.speculative !== true;
    let chunkSeen = false;
    // Speech prefetched for held sentences. Adopted, the machine replays them through its repeat guards and sends
    // the ones it keeps to the speaker within the same macrostep (it takes them then); a turn later, whatever is
    // still untaken was dropped and is freed. Not adopted (cancelled, words changed), all of it is aborted.
    const prefetched: PrefetchHandle[] = [];
    const releasePrefetched = () => {
      for (const h of prefetched.splice(0)) h.release();
    };
    let heldSentences = 0;
    if (adopted) hooks.requested?.(input);
    receive((e) => {
      if (e.type !== 'REPLY.ADOPTED' || adopted) return;
      adopted = true;
      hooks.requested?.(input);
      if (chunkSeen) hooks.firstChunk?.();
      if (prefetched.length > 0) setImmediate(releasePrefetched);
    });
    const held: string[] = [];
    const release = async () => {
      if (policy.kind !== 'whole-reply' || held.length === 0) return;
      await new Promise((r) => setTimeout(r, policy.pauseMs));
      if (abort.signal.aborted) return;
      hooks.firstSentence?.();
      send({ type: 'REPLY.SENTENCE', text: held.join(' ') });
      held.length = 0;
    };
    (async () => {
      let done = false;
      let first = true;
      let firstChunk = true;
      const chunks = llm.respond(input, abort.signal);
      async function* observed() {
        for await (const c of chunks) {
          if (firstChunk && adopted) hooks.firstChunk?.();
          firstChunk = false;
          chunkSeen = true;
          yield c;
        }
      }
      for await (const ev of replyEvents(observed())) {
        if (abort.signal.aborted) return;
        switch (ev.type) {
          case 'sentence':
            if (policy.kind === 'whole-reply') {
              held.push(ev.text);
              break;
            }
            if (first) hooks.firstSentence?.();
            first = false;
            if (!adopted && prefetch && heldSentences++ < PREFETCH_HELD_SENTENCES) {
              const h = prefetch.start(ev.text);
              if (h) prefetched.push(h);
            }
            send({ type: 'REPLY.SENTENCE', text: ev.text });
            break;
          case 'facts':
            send({ type: 'REPLY.FACTS', facts: ev.facts });
            break;
          case 'asked':
            send({ type: 'REPLY.ASKED', topic: ev.topic });
            break;
          case 'end-call':
            send({ type: 'REPLY.END_CALL', reason: ev.reason });
            break;
          case 'press-keys':
            send({ type: 'REPLY.PRESS_KEYS', digits: ev.digits });
            break;
          case 'hold':
            send({ type: 'REPLY.HOLD' });
            break;
          case 'voicemail':
            send({ type: 'REPLY.VOICEMAIL', full: ev.full });
            break;
          case 'refusal':
            send({ type: 'REPLY.REFUSED', refusal: ev.refusal });
            break;
          case 'callback':
            send({ type: 'REPLY.CALLBACK', request: ev.request });
            break;
          case 'outcome':
            send({ type: 'REPLY.OUTCOME', outcome: ev.outcome });
            break;
          case 'desk':
            send(ev.event);
            break;
          case 'invalid-tool':
            // The provider already asks again on invalid tool arguments; the machine only needs to know it happened.
            log.warn({ tool: ev.name, provider: llm.name }, 'llm produced invalid tool arguments');
            break;
          case 'done':
            await release();
            done = true;
            send({ type: 'REPLY.DONE' });
            break;
        }
      }
      if (!done) {
        await release();
        send({ type: 'REPLY.DONE' });
      }
    })().catch((e: unknown) => {
      if (abort.signal.aborted) return;
      const message = e instanceof Error ? e.message : String(e);
      log.warn({ err: message, provider: llm.name }, 'reply failed');
      send({ type: 'REPLY.ERROR', message });
    });
    return () => {
      abort.abort();
      releasePrefetched();
    };
  });
}
