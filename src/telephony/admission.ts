import type { Admission, DenyReason } from '../ops/capacity.js';

// Call admission as telephony uses it. Implemented by ops' CallCapacity (MAX_CONCURRENT_CALLS, draining): a call
// takes a slot when admitted (voice webhook for inbound, POST /v1/calls for outbound), claims it when its media
// stream starts, and gives it back when it ends. Every method is idempotent per callId.
export interface CallAdmission {
  tryAdmit(callId: string, direction: 'inbound' | 'outbound'): Admission;
  claim(callId: string): boolean;
  release(callId: string, reason: string): boolean;
}

export type { DenyReason };
