// The phone network of the campaign engine tests: a Twilio stand-in that "places" each call and, when told, ends
// every live one the way the real system records it (Twilio's final status for a line that never connected, the
// call's end report with its outcome otherwise). It lives outside the engine's process in the replica tests, as
// Twilio does: a server that is killed does not take its calls down with it. It notices a gym dialled while already
// on the line (the property the engine must never break).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { endCall, recordStatus } from '../../src/db/repositories/calls.js';
import type { CallPlacer } from '../../src/telephony/outbound.js';

/** What one phone number does on each attempt, in turn (the last repeats). */
export type Script = readonly string[];

const LINE = new Set(['busy', 'failed', 'no-answer']);

export async function endLiveCall(pool: pg.Pool, callId: string, outcome: string, at: Date): Promise<void> {
  if (LINE.has(outcome)) await recordStatus(pool, { callId, status: outcome, at });
  else await endCall(pool, { callId, reason: 'caller_hangup', at, outcome });
}

export class FakeNetwork implements CallPlacer {
  /** phone → call id of the call on its line now. */
  readonly live = new Map<string, string>();
  readonly placed: { phone: string; callId: string }[] = [];
  /** Numbers dialled while a call to them was still live. */
  readonly doubleDials: string[] = [];
  maxLive = 0;
  private readonly tries = new Map<string, number>();

  constructor(private readonly scripts: ReadonlyMap<string, Script>) {}

  placeCall(to: string, callId: string): Promise<{ sid: string; status: string }> {
    if (this.live.has(to)) this.doubleDials.push(to);
    this.live.set(to, callId);
    this.placed.push({ phone: to, callId });
    this.maxLive = Math.max(this.maxLive, this.live.size);
    return Promise.resolve({ sid: `CA${randomBytes(16).toString('hex')}`, status: 'queued' });
  }

  /** The outcome the number's script gives its next call. */
  nextOutcome(phone: string): string {
    const n = this.tries.get(phone) ?? 0;
    this.tries.set(phone, n + 1);
    const s = this.scripts.get(phone) ?? ['completed'];
    return s[Math.min(n, s.length - 1)] as string;
  }

  /**
   * Ends every live call; `ended` hears each (the server would free its slot). Stamped with the real time, as
   * Twilio's callbacks are, whatever clock the campaign runs on.
   */
  async endAll(pool: pg.Pool, ended?: (callId: string) => void): Promise<number> {
    const calls = [...this.live];
    for (const [phone, callId] of calls) {
      await endLiveCall(pool, callId, this.nextOutcome(phone), new Date());
      this.live.delete(phone);
      ended?.(callId);
    }
    return calls.length;
  }
}
