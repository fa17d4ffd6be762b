import { fromCallback, fromPromise, type EventObject } from 'xstate';
import { AppError } from '../src/errors.js';
import * as C from './context.js';
import type { CallContext } from './context.js';
import type {
  AsrCommand,
  AsrInput,
  HangupInput,
  KeypadInput,
  ReplyInput,
  SpeakerCommand,
  TransferInput,
  TransferOutput,
} from './events.js';
import * as T from './text.js';
import { bargeInConfirmMs } from './evidence.js';

// Parts of the call machine's setup (call.base.ts) that need no machine types: the default actors, the named
// delays and a message helper.

function missing(name: string) {
  return new AppError('INTERNAL', `call machine: actor "${name}" not provided; use callMachine.provide({ actors })`);
}

// The `src` defaults fail loudly: a machine started without real actors must not look like a working call.
export const defaultActors = {
  asr: fromCallback<AsrCommand, AsrInput>(() => {
    throw missing('asr');
  }),
  speaker: fromCallback<SpeakerCommand, { callId: string }>(() => {
    throw missing('speaker');
  }),
  reply: fromCallback<EventObject, ReplyInput>(() => {
    throw missing('reply');
  }),
  hangup: fromPromise<void, HangupInput>(async () => {
    throw missing('hangup');
  }),
  keypad: fromPromise<void, KeypadInput>(async () => {
    throw missing('keypad');
  }),
  transfer: fromPromise<TransferOutput, TransferInput>(async () => {
    throw missing('transfer');
  }),
};

const semanticWait = (c: CallContext) => Math.max(0, c.timing.endpointSemanticMs - c.silenceHeadStartMs);

/** The named delays of the chart, all from the call's TurnTiming (config) and context. */
export const callDelays = {
  VAD_MIN_SPEECH: ({ context }: { context: CallContext }) => context.timing.vadMinSpeechMs,
  // Counted from the caller's last voiced frame: the silence edge came silenceHeadStartMs after it.
  ENDPOINT_SEMANTIC: ({ context }: { context: CallContext }) => semanticWait(context),
  // The rest of the short wait after the semantic one.
  ENDPOINT_SHORT_REST: ({ context }: { context: CallContext }) =>
    Math.max(0, context.timing.endpointShortMs - context.silenceHeadStartMs) - semanticWait(context),
  ENDPOINT_LONG_REST: ({ context }: { context: CallContext }) =>
    context.timing.endpointLongMs - context.timing.endpointShortMs,
  ENDPOINT_MAX_REST: ({ context }: { context: CallContext }) =>
    context.timing.endpointMaxMs - context.timing.endpointLongMs,
  // Measured from the voice onset, which the caller region confirmed VAD_MIN_SPEECH later.
  BARGE_IN_MIN: ({ context }: { context: CallContext }) =>
    Math.max(0, context.timing.bargeInMinMs - context.timing.vadMinSpeechMs),
  BARGE_IN_CONFIRM: ({ context }: { context: CallContext }) => bargeInConfirmMs(context),
  IDLE_REPROMPT: ({ context }: { context: CallContext }) => context.timing.idleRepromptMs,
  MAX_CALL: ({ context }: { context: CallContext }) => context.timing.maxCallMs,
  // The flow's filler policy may say its holding line earlier or later than the provider deadline.
  FILLER: ({ context }: { context: CallContext }) => {
    const filler = context.flow?.filler;
    return (filler?.mode === 'holding-line' ? filler.afterMs : undefined) ?? context.timing.providerDeadlineMs;
  },
  REPLY_MAX: ({ context }: { context: CallContext }) => context.timing.replyMaxMs,
  HELLO_TIMEOUT: ({ context }: { context: CallContext }) => context.timing.outboundHelloTimeoutMs,
  // Counted from her last voiced frame, like the end-of-turn waits.
  HELLO_SETTLE: ({ context }: { context: CallContext }) =>
    Math.max(0, context.timing.helloSettleMs - context.silenceHeadStartMs),
  RECOGNISER_LAG: ({ context }: { context: CallContext }) => context.timing.recogniserLagMs,
  LINE_SOUNDING: ({ context }: { context: CallContext }) => context.timing.lineSoundingMs,
  TRANSFER_WAIT: ({ context }: { context: CallContext }) => context.timing.transferWaitMs,
  GREETING_GUARD: ({ context }: { context: CallContext }) => context.timing.greetingUninterruptibleMs,
  GOODBYE_WAIT: ({ context }: { context: CallContext }) => C.remainingSpeechMs(context, T.estimateSpeechMs),
  CLEAR_SETTLE: ({ context }: { context: CallContext }) => context.timing.clearSettleMs,
  HANGUP_TIMEOUT: ({ context }: { context: CallContext }) => context.timing.hangupTimeoutMs,
  HANGUP_DRAIN: ({ context }: { context: CallContext }) => context.timing.hangupDrainMs,
  HOLD_MAX: ({ context }: { context: CallContext }) => context.timing.holdMaxMs,
  MENU_SETTLE: ({ context }: { context: CallContext }) => context.timing.menuSettleMs,
  IVR_RESPONSE: ({ context }: { context: CallContext }) => context.timing.ivrResponseMs,
  PERSON_SETTLE: ({ context }: { context: CallContext }) => context.timing.personSettleMs,
  BEEP_WAIT: ({ context }: { context: CallContext }) => context.timing.beepWaitMs,
};

/** A readable message from an error event, an actor error or anything else. */
export function textOrMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    if ('message' in e && typeof e.message === 'string') return e.message;
    if ('error' in e) return e.error instanceof Error ? e.error.message : String(e.error);
    if ('type' in e) return String(e.type);
  }
  return String(e);
}
