import type { IvrStep } from '../../machines/outcomes.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../ops/metrics.js';
import type { AsrProvider } from '../providers/asr/types.js';
import type { LlmProvider } from '../providers/llm/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { KeypadPort } from '../telephony/keypad/types.js';
import type { CallTrace } from '../tracing/call-trace.js';
import type { OutboundPlayer } from '../telephony/outbound-player.js';
import { asrActor, type AudioTap, type WordsListener } from './asr-actor.js';
import type { CallPorts } from './call-actor.js';
import { hangupActor, type HangupPort } from './hangup-actor.js';
import { keypadActor } from './keypad-actor.js';
import type { CallQuality } from './quality.js';
import { replyActor, type ReplyPolicy } from './reply-actor.js';
import { speakerActor } from './speaker-actor.js';
import { transferActor } from '../frontdesk/transfer.js';
import type { TtsPrefetch } from './tts-prefetch.js';

// The call machine's invoked actors for one call, made from its providers and transport, with the call quality
// check, the end-of-turn latency metric and the call's trace hooked into the recogniser, reply and speaker actors.
// Each stamp is taken once here and given to both the quality check and the trace.

/**
 * The phone-tree key paths remembered per gym number (src/db/ivr-paths.ts DbIvrPaths): `get` before the menu
 * starts (undefined: none, or the lookup failed or was slow), `save` when the keys reached a person.
 */
export interface IvrPathStore {
  get(phone: string): Promise<IvrStep[] | undefined>;
  save(phone: string, steps: readonly IvrStep[], callId: string): Promise<unknown>;
}

export interface PortsInput {
  readonly asr: AsrProvider;
  readonly llm: LlmProvider;
  readonly tts: TtsProvider;
  readonly tap: AudioTap;
  readonly player: OutboundPlayer;
  readonly nowMs: () => number;
  readonly quality: CallQuality;
  readonly trace: CallTrace;
  readonly metrics: Metrics | undefined;
  readonly replyPolicy: ReplyPolicy | undefined;
  readonly prefetch: TtsPrefetch | undefined;
  /** Twilio REST hang-up; undefined without a Twilio account (the socket is closed instead). */
  readonly rest: HangupPort | undefined;
  readonly callSid: string;
  readonly closeSocket: (reason: string) => void;
  /** The call's keypad (the transport's: in-band tones or Twilio's <Play digits>); undefined: it cannot press keys. */
  readonly keypad: KeypadPort | undefined;
  /** A front-desk call's transfer to the staff (src/frontdesk/call.ts); none: nobody to put a caller through to. */
  readonly transfer?: ReturnType<typeof transferActor> | undefined;
  /** Whoever watches the call: the recogniser's words, and each agent utterance as it starts. */
  readonly watch?: { recognised: WordsListener; utteranceStarted(utteranceId: string, text: string): void } | undefined;
  readonly log: Logger;
}

export function callPorts(i: PortsInput): CallPorts {
  const q = i.quality;
  const t = i.trace;
  const now = () => performance.now();
  return {
    asr: asrActor(i.asr, i.tap, i.log, {
      words: i.watch?.recognised,
      final: (latencyMs) => t.asrFinal(now(), latencyMs),
    }),
    reply: replyActor(
      i.llm,
      i.log,
      {
        requested: () => {
          const at = now();
          q.replyRequested(at);
          t.replyRequested(at);
        },
        firstChunk: () => {
          const at = now();
          q.llmFirstChunk(at);
          t.llmFirstChunk(at);
        },
      },
      i.replyPolicy,
      i.prefetch,
    ),
    speaker: speakerActor(
      i.tts,
      i.player,
      i.nowMs,
      i.log,
      {
        synthRequested: (id) => {
          const at = now();
          q.synthRequested(id, at);
          t.synthRequested(id, at);
        },
        synthResolved: (id) => {
          const at = now();
          q.synthResolved(id, at);
          t.synthResolved(id, at);
        },
        started: (id, text) => {
          const at = now();
          const ms = q.firstAudio(at);
          t.firstFrame(id, at);
          if (ms !== undefined) i.metrics?.observeTurn('end_of_turn_to_first_audio', ms);
          i.watch?.utteranceStarted(id, text);
        },
      },
      i.prefetch,
    ),
    hangup: hangupActor(i.rest, i.callSid, i.closeSocket, i.log),
    keypad: keypadActor(i.keypad, i.log),
    transfer: i.transfer ?? transferActor(undefined, i.callSid, () => Promise.resolve(undefined), i.log),
  };
}
