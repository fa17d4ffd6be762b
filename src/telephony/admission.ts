import type { Admission, Claim, DenyReason } from '../ops/capacity.js';
import type { CallDirection } from '../../machines/events.js';

// Call admission as telephony uses it. Implemented by ops' CallCapacity (MAX_CONCURRENT_CALLS, draining): a call
// takes a slot when admitted (voice webhook for inbound, POST /v1/calls for outbound), its media stream claims
// it (claim, then confirm once the call store agrees the stream owns the call, or abandon), and the call gives it
// back when it ends. tryAdmit, awaitStream and release are idempotent per callId.
export interface CallAdmission {
  tryAdmit(callId: string, direction: CallDirection): Admission;
  /** The voice webhook is about to answer with a stream: admit if not yet, and wait for the stream from now. */
  awaitStream(callId: string, direction: CallDirection): Admission;
  claim(callId: string): Claim;
  adopt(callId: string, direction: CallDirection): Admission;
  confirm(callId: string): boolean;
  abandon(callId: string): void;
  release(callId: string, reason: string): boolean;
}

export type { Claim, DenyReason };
