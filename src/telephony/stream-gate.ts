import type { Logger } from '../log.js';
import type { CallAdmission } from './admission.js';
import type { StartInfo } from './call-handler.js';
import type { CallStore } from './call-store.js';
import type { AdmitDecision } from './media-session.js';
import { STREAM_TOKEN_PARAM, type StreamTokens } from './stream-token.js';
import { HANDOFF_PARAM, type StreamHandoffs } from './keypad/handoff.js';

// What a media stream's `start` must prove before the server gives it anything per call (a player, a VAD, a
// call session, a slot). The upgrade's X-Twilio-Signature is the same for every stream, so on its own it proves
// nothing about which call; the start message's ids are whatever the sender typed. So, in order:
//   1. our Twilio account (TWILIO_ACCOUNT_SID, when configured);
//   2. the stream token our voice webhook minted for this callSid, account and <Parameter>s, unexpired
//      (stream-token.ts): the parameters, callId included, are the ones we put in the TwiML;
//   3. the call's slot in this process, unless a stream already holds it (one live stream per call); a call
//      another replica admitted gets a slot here if there is room;
//   4. the call store's conditional claim: the stored callSid is this one, the call has not ended, and no stream
//      ever owned it. One UPDATE that one replica wins, so the call is run, counted and ended exactly once.

export interface StreamGateOptions {
  readonly tokens: StreamTokens;
  /** TWILIO_ACCOUNT_SID; undefined accepts the account the token was minted for. */
  readonly accountSid: string | undefined;
  readonly admission: CallAdmission;
  /** The call store (claimStream); undefined: this process is the only one and its slots are the truth. */
  readonly store: Pick<CallStore, 'claimStream'> | undefined;
  readonly log: Logger;
  /** Calls parked between two streams by a keypad redirect (keypad/handoff.ts). */
  readonly handoffs?: StreamHandoffs | undefined;
}

const refuse = (why: string, code = 1008): AdmitDecision => ({ ok: false, code, why });
/** A claim the database has not answered by then is treated as unanswerable (below), inside the 5 s start deadline. */
const CLAIM_DEADLINE_MS = 3_000;

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export class StreamGate {
  readonly #o: StreamGateOptions;

  constructor(o: StreamGateOptions) {
    this.#o = o;
  }

  /** The callId a stream admitted by admit() runs as (what release and the call session key on). */
  static callIdOf(start: StartInfo): string {
    return start.customParameters.callId ?? '';
  }

  admit(start: StartInfo): AdmitDecision | Promise<AdmitDecision> {
    const callId = StreamGate.callIdOf(start);
    if (callId === '') return refuse('no callId parameter');
    if (this.#o.accountSid !== undefined && start.accountSid !== this.#o.accountSid)
      return refuse('stream of another Twilio account');
    const { [STREAM_TOKEN_PARAM]: token, ...parameters } = start.customParameters;
    const check = this.#o.tokens.verify(token, { callSid: start.callSid, accountSid: start.accountSid, parameters });
    if (!check.ok) return refuse(`stream token ${check.reason}`);
    if (parameters[HANDOFF_PARAM] === '1') return this.#resume(start, callId);
    const direction = parameters.direction === 'outbound' ? 'outbound' : 'inbound';
    const claim = this.#o.admission.claim(callId);
    if (claim === 'busy') return refuse('the call already has a media stream');
    if (claim === 'unknown') {
      const adopted = this.#o.admission.adopt(callId, direction);
      if (!adopted.ok) return refuse(adopted.reason === 'draining' ? 'draining' : 'at capacity', 1013);
    }
    return this.#own(start, callId, claim === 'claimed');
  }

  /**
   * A stream minted for a keypad redirect (its token covers handoff=1, so only our TwiML made it): it may only take
   * over a call this process parked for this very CallSid. It takes no new slot and no new claim: the call keeps the
   * slot and the store's claim of its first stream, and this replica its lease.
   */
  async #resume(start: StartInfo, callId: string): Promise<AdmitDecision> {
    if (this.#o.handoffs === undefined || !(await this.#o.handoffs.parkedFor(callId, start.callSid)))
      return refuse('no call of ours waits for this stream');
    return { ok: true };
  }

  async #own(start: StartInfo, callId: string, admittedHere: boolean): Promise<AdmitDecision> {
    let won: boolean;
    try {
      won =
        this.#o.store === undefined
          ? admittedHere
          : await withDeadline(this.#o.store.claimStream(callId, start.callSid, start.streamSid), CLAIM_DEADLINE_MS);
    } catch (err) {
      // The database cannot say (down, or too slow): a call admitted by this very process goes on (as every other
      // write of it does, through the write queue); one that is not ours cannot be checked, so it is refused.
      this.#o.log.warn({ err, callId }, 'media stream claim not recorded: call store unavailable');
      won = admittedHere;
    }
    if (!won) {
      this.#o.admission.abandon(callId);
      return refuse('the call is over or another stream owns it');
    }
    // A final status callback may have released the slot while the claim was in flight.
    if (!this.#o.admission.confirm(callId)) return refuse('the call ended while its stream started');
    return { ok: true };
  }
}
