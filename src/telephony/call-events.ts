import type pg from 'pg';
import type { Logger } from '../log.js';
import { backoffMs, sleep, type RetryPolicy } from '../providers/retry.js';
import { isValidCallId } from '../db/recorder.js';
import { describeDbError } from '../db/errors.js';
import { isAnsweredBy, LiveCalls } from './live-calls.js';

// Twilio's answering-machine verdict reaches the replica running the call (issue 16). The load balancer delivers
// POST /twilio/amd to any replica; the one that records the verdict (one row per call, amd_results) may not be the
// one whose process runs the call's media stream. So:
// - recording the verdict also sends NOTIFY on CALL_EVENTS_CHANNEL, in the same statement (PgCallStore.recordAmd):
//   a notification exactly when a verdict was committed, never one for a write that failed or lost to a copy;
// - every replica keeps one LISTEN connection of its own (not from the pool: a LISTEN lives as long as its session);
// - the payload names the call only ('amd:<callId>'; no personal data). It is untrusted (any session on the
//   database can NOTIFY): a payload that is not exactly that is dropped, a call not waiting here costs nothing, and
//   the verdict itself is read back from amd_results, so a forged notification can at most cause one read;
// - a notification sent while the listener is down is lost, so after every (re)connection the calls streaming
//   here that still wait for a verdict are looked up; so is each stream when it registers (the webhook may have
//   landed elsewhere before the stream existed);
// - LiveCalls hands each call its verdict once, whichever of these (and the webhook on this replica, whose own
//   notification echoes back) gets there first.
// On the embedded database (`single`) there is one process, so the webhook and the stream are in the same one and
// delivery is local; PGlite's socket server does not pass notifications between connections anyway.

export const CALL_EVENTS_CHANNEL = 'call_events';
/** Payload prefix of "a verdict was recorded for this call"; the rest is the call id. */
export const AMD_EVENT = 'amd:';
/** Longest payload accepted: the prefix and a call id of the longest kind the store takes (isValidCallId). */
const MAX_PAYLOAD = AMD_EVENT.length + 200;

const HEARTBEAT_MS = 30_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;
/** Reconnection waits: full jitter up to 10 s, and the listener never gives up (attempts is not used). */
const LISTENER_RETRY: RetryPolicy = Object.freeze({ attempts: Infinity, baseMs: 250, maxMs: 10_000 });

export interface CallEventsOptions {
  /** The embedded database: this process is the only one, nothing to listen for. */
  readonly single: boolean;
  /** Reads of recorded verdicts. */
  readonly pool: Pick<pg.Pool, 'query'>;
  /** A new, unconnected client for the LISTEN session (src/db/pool.ts dedicatedClient). */
  readonly connect: () => pg.Client;
  readonly retry?: RetryPolicy;
  readonly log: Logger;
}

/** The call id a notification payload names, or undefined for anything else. */
function parseCallEvent(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || payload.length > MAX_PAYLOAD || !payload.startsWith(AMD_EVENT)) return undefined;
  const callId = payload.slice(AMD_EVENT.length);
  return isValidCallId(callId) ? callId : undefined;
}

export class CallEvents {
  /** The calls streaming in this process; hand it to the telephony server and the AMD webhook. */
  readonly liveCalls: LiveCalls;
  readonly #o: CallEventsOptions;
  readonly #stop = new AbortController();
  /** Calls to look up in amd_results; one read at a time takes all of them. */
  readonly #pending = new Set<string>();
  #reading: Promise<void> | undefined;
  #listening: Promise<void> | undefined;
  /** Ends the current listener session (its connection lost, or close()). */
  #endSession: (() => void) | undefined;
  #junk = 0;

  constructor(o: CallEventsOptions) {
    this.#o = o;
    this.liveCalls = new LiveCalls({ registered: (callId) => this.#lookUp([callId]) });
  }

  /** Starts listening (not on the embedded database); resolves after the first attempt, which may have failed. */
  start(): Promise<void> {
    if (this.#o.single) return Promise.resolve();
    return new Promise((firstAttempt) => {
      this.#listening = this.#listen(firstAttempt);
    });
  }

  /** Stops listening and waits for a read in flight (before the pool closes). */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#endSession?.();
    await this.#listening;
    await this.#reading;
  }

  async #listen(firstAttempt: () => void): Promise<void> {
    const policy = this.#o.retry ?? LISTENER_RETRY;
    for (let attempt = 0; !this.#stop.signal.aborted;) {
      const session = await this.#session().catch((e: unknown) => {
        if (!this.#stop.signal.aborted)
          this.#o.log.warn({ err: describeDbError(e), attempt }, 'call events: listener not connected; retrying');
        return undefined;
      });
      firstAttempt();
      if (session !== undefined) {
        attempt = 0;
        await session.ended;
        if (!this.#stop.signal.aborted) this.#o.log.warn('call events: listener connection lost; reconnecting');
      }
      await sleep(backoffMs(policy, attempt++), this.#stop.signal).catch(() => undefined);
    }
  }

  /** Connects, listens and catches up; resolves once listening (a bare promise would be awaited through). */
  async #session(): Promise<{ ended: Promise<void> }> {
    const client = this.#o.connect();
    // A connection that died without a word (a failover, a dropped route) is noticed within a heartbeat, not after
    // the kernel's keepalive gives up (minutes). The first beat comes long after connect() has succeeded or failed.
    const heartbeat = setInterval(() => void answers(client).then((ok) => ok || end()), HEARTBEAT_MS);
    heartbeat.unref();
    let resolveEnded = (): void => undefined;
    const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
    const end = (): void => {
      clearInterval(heartbeat);
      resolveEnded();
      // Not awaited: on a connection that died silently the goodbye may never be answered.
      void client.end().catch(() => undefined);
    };
    this.#endSession = end;
    // Without an 'error' handler a dropped connection would crash the process.
    client.on('error', end);
    client.on('end', end);
    client.on('notification', (n) => this.#notified(n));
    try {
      await client.connect();
      await client.query(`LISTEN ${CALL_EVENTS_CHANNEL}`);
    } catch (e) {
      end();
      throw e;
    }
    // Listening from here on: a verdict recorded before is in amd_results for this catch-up to find.
    this.#lookUp(this.liveCalls.waiting());
    return { ended };
  }

  #notified(n: pg.Notification): void {
    if (n.channel !== CALL_EVENTS_CHANNEL) return;
    const callId = parseCallEvent(n.payload);
    if (callId !== undefined) return this.#lookUp([callId]);
    // The payload's text is not logged: it is whatever the sender chose.
    if (this.#junk++ % 1000 === 0)
      this.#o.log.warn(
        { dropped: this.#junk, length: n.payload?.length },
        'call events: malformed notification dropped',
      );
  }

  /** Reads the recorded verdicts of those of `callIds` still waiting here and delivers them. */
  #lookUp(callIds: readonly string[]): void {
    if (this.#o.single || this.#stop.signal.aborted) return;
    for (const id of callIds) if (this.liveCalls.isWaiting(id)) this.#pending.add(id);
    if (this.#pending.size === 0 || this.#reading !== undefined) return;
    this.#reading = this.#read().finally(() => {
      this.#reading = undefined;
      // Added between the last read's end and now: read again.
      if (this.#pending.size > 0) this.#lookUp([]);
    });
  }

  async #read(): Promise<void> {
    const policy = this.#o.retry ?? LISTENER_RETRY;
    for (let attempt = 0; this.#pending.size > 0 && !this.#stop.signal.aborted;) {
      const ids = [...this.#pending].filter((id) => this.liveCalls.isWaiting(id));
      this.#pending.clear();
      if (ids.length === 0) return;
      try {
        const r = await this.#o.pool.query<{ call_id: string; answered_by: string }>(
          'SELECT call_id, answered_by FROM amd_results WHERE call_id = ANY($1::text[])',
          [ids],
        );
        for (const { call_id: callId, answered_by: answeredBy } of r.rows)
          if (isAnsweredBy(answeredBy) && this.liveCalls.isWaiting(callId)) {
            this.liveCalls.deliver(callId, answeredBy);
            this.#o.log.info({ callId, answeredBy }, 'answering-machine verdict read back and delivered');
          }
        attempt = 0;
      } catch (e) {
        // Still waiting: read again when the database answers (the listener's catch-up would find them too).
        for (const id of ids) this.#pending.add(id);
        this.#o.log.warn({ err: describeDbError(e), calls: ids.length }, 'call events: verdicts not read; retrying');
        await sleep(backoffMs(policy, attempt++), this.#stop.signal).catch(() => undefined);
      }
    }
  }
}

/** True when the listener's connection answers a query within HEARTBEAT_TIMEOUT_MS. */
function answers(client: pg.Client): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), HEARTBEAT_TIMEOUT_MS)));
  const answered = client.query('SELECT 1').then(
    () => true,
    () => false,
  );
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}
