import type { CallDirection, CallMode } from '../../machines/events.js';
import type { ConversationBrief } from '../providers/llm/types.js';
import type { StartInfo } from '../telephony/call-handler.js';
import { isLanguage, type Language } from '../language/index.js';
import type { CallVoices } from '../voices/brand.js';

// Who a media stream is: its call id, direction and gym, from the stream's `start` parameters and, for calls we
// placed, what the calls API stored (the parameters may not carry the gym's name or number).

export interface CallDetails {
  readonly gymName?: string | undefined;
  /** The gym's row, when the call store has one. */
  readonly gymId?: string | null | undefined;
  readonly direction?: CallDirection | undefined;
  readonly phoneNumber?: string | undefined;
  /** A planned call's brief (a campaign's follow-up), when this process placed it with one. */
  readonly brief?: ConversationBrief | undefined;
  /** The language the call was placed in (its row's). */
  readonly language?: Language | undefined;
  /** The brand voices of its gym and campaign (src/voices/), when they have any. */
  readonly voices?: CallVoices | undefined;
}

export interface CallIdentity {
  readonly callId: string;
  readonly direction: CallDirection;
  /** '' when unknown. */
  readonly gymName: string;
  readonly gymId: string | undefined;
  readonly phoneNumber: string | undefined;
  readonly brief: ConversationBrief | undefined;
  readonly language: Language | undefined;
  /** What the number called is set to (the voice webhook's signed parameters); interview when not given. */
  readonly mode: CallMode;
  /** Inbound: our number the caller rang (its staff number for transfers). */
  readonly calledNumber: string | undefined;
  readonly voices: CallVoices | undefined;
}

export function identifyCall(
  start: StartInfo,
  lookup: ((callId: string, callSid: string) => CallDetails | undefined) | undefined,
): CallIdentity {
  const p = start.customParameters;
  const callId = p['callId'] ?? start.callSid;
  const details = lookup?.(callId, start.callSid);
  return {
    callId,
    direction: p['direction'] === 'outbound' || details?.direction === 'outbound' ? 'outbound' : 'inbound',
    gymName: p['gymName'] ?? details?.gymName ?? '',
    // The parameters are bound by the stream token (stream-gate.ts): what the voice webhook put there.
    gymId: p['gymId'] ?? details?.gymId ?? undefined,
    phoneNumber: details?.phoneNumber,
    brief: details?.brief,
    // The voice webhook's (the gym of the number called), so a stream on another replica speaks it too.
    language: details?.language ?? languageParam(p['language']),
    mode: p['mode'] === 'front-desk' ? 'front-desk' : 'interview',
    calledNumber: p['called'],
    voices: details?.voices,
  };
}

const languageParam = (v: string | undefined): Language | undefined => (isLanguage(v) ? v : undefined);
