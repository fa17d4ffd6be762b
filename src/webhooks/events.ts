import type pg from 'pg';
import { describeDbError, isRetryableDbError } from '../db/errors.js';
import { readNormalisedCallFacts, readNormalisedGymFacts, type NormalisedFacts } from '../db/normalise.js';
import type { Logger } from '../log.js';
import type { WebhookEventType } from './config.js';

// The outbox's writers. Each runs inside the transaction of the change that causes its event, so the event exists
// exactly when the change does: a call's end (the session's end report, the lease sweep, or Twilio's final status
// for a call that never had a media stream) and a campaign's completion. Each event has a dedupe key naming its
// cause, so the same change written twice (the write queue retries after an ambiguous commit; two replicas settle
// one call) adds one event. Payloads carry business data only (gym name and number, facts, outcomes): no
// transcripts, no staff's words or names (refusals give the topic and web address, a callback its time).

/** Facts of no topic: what a gym without a snapshot is compared with. */
const NO_FACTS: NormalisedFacts = { hours: {}, pricing: [], classes: [] };
const TOPICS = ['hours', 'pricing', 'classes'] as const;

interface EndedCall {
  id: string;
  direction: string;
  status: string;
  outcome: string | null;
  end_reason: string | null;
  created_at: Date;
  answered_at: Date | null;
  ended_at: Date;
  hold_ms: number | null;
  gym_id: string | null;
  gym_name: string | null;
  gym_phone: string | null;
  gym_timezone: string | null;
  campaign_id: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** Adds an event unless one with its dedupe key exists. */
async function addEvent(tx: pg.PoolClient, type: WebhookEventType, key: string, data: unknown): Promise<void> {
  await tx.query(
    'INSERT INTO webhook_events (type, dedupe_key, payload) VALUES ($1, $2, $3) ON CONFLICT (dedupe_key) DO NOTHING',
    [type, key, JSON.stringify(data)],
  );
}

/**
 * The call when its record is closed: ended, and either its end reported (end_reason: by its session or the lease
 * sweep) or never streamed (busy, no answer, failed, cancelled: no session will report on it). A call whose stream
 * runs has ended_at set by Twilio's final status before its session's report; it is closed by the report.
 */
async function closedCall(tx: pg.PoolClient, callId: string): Promise<EndedCall | undefined> {
  const r = await tx.query<EndedCall>(
    `SELECT c.id, c.direction, c.status, c.outcome, c.end_reason, c.created_at, c.answered_at, c.ended_at, c.hold_ms,
            c.gym_id, g.name AS gym_name, g.phone AS gym_phone, g.timezone AS gym_timezone,
            (SELECT a.campaign_id FROM campaign_attempts a WHERE a.call_id = c.id) AS campaign_id
       FROM calls c LEFT JOIN gyms g ON g.id = c.gym_id
      WHERE c.id = $1 AND c.ended_at IS NOT NULL AND (c.end_reason IS NOT NULL OR c.stream_sid IS NULL)`,
    [callId],
  );
  return r.rows[0];
}

function gymOf(c: EndedCall) {
  return c.gym_id === null
    ? null
    : { id: Number(c.gym_id), name: c.gym_name, phone: c.gym_phone, timezone: c.gym_timezone };
}

async function callCompletedData(tx: pg.PoolClient, c: EndedCall) {
  // One query at a time: a transaction's client runs them so anyway.
  const facts = c.end_reason === null ? NO_FACTS : await readNormalisedCallFacts(tx, c.id);
  const refusals = await tx.query<{ topic: string; website: string | null }>(
    'SELECT topic, website FROM call_refusals WHERE call_id = $1 ORDER BY topic',
    [c.id],
  );
  const callback = await tx.query<{ earliest_local: string | null; time_zone: string | null; topics: string[] }>(
    'SELECT earliest_local, time_zone, topics FROM call_callbacks WHERE call_id = $1',
    [c.id],
  );
  return {
    call_id: c.id,
    direction: c.direction,
    campaign_id: c.campaign_id === null ? null : Number(c.campaign_id),
    gym: gymOf(c),
    status: c.status,
    outcome: c.outcome,
    end_reason: c.end_reason,
    started_at: iso(c.created_at),
    answered_at: iso(c.answered_at),
    ended_at: iso(c.ended_at),
    hold_ms: c.hold_ms,
    facts,
    refusals: refusals.rows,
    callback: callback.rows[0] ?? null,
  };
}

/**
 * gym.facts.changed when the gym's current facts (as GET /v1/gyms/{id} derives them) differ from those its last
 * event announced. The gym's snapshot row is locked before its facts are read: of two calls to one gym ending at
 * once, the second waits and compares with what the first announced. The topics are compared as jsonb (object
 * keys in any order, lists in order), the way the snapshot stores them.
 */
async function gymFactsChanged(tx: pg.PoolClient, gymId: number, callId: string, c: EndedCall): Promise<void> {
  await tx.query('INSERT INTO webhook_gym_facts (gym_id) VALUES ($1) ON CONFLICT (gym_id) DO NOTHING', [gymId]);
  const snap = await tx.query<{ previous: NormalisedFacts | null; version: number }>(
    'SELECT facts AS previous, version FROM webhook_gym_facts WHERE gym_id = $1 FOR UPDATE',
    [gymId],
  );
  const row = snap.rows[0];
  if (row === undefined) return;
  const current = JSON.stringify(await readNormalisedGymFacts(tx, gymId));
  const diff = await tx.query<{ changed: string[] }>(
    `SELECT ARRAY(SELECT t FROM unnest($1::text[]) t
                   WHERE (COALESCE($2::jsonb, $3::jsonb) -> t) IS DISTINCT FROM ($4::jsonb -> t)) AS changed`,
    [TOPICS, row.previous === null ? null : JSON.stringify(row.previous), JSON.stringify(NO_FACTS), current],
  );
  const changed = diff.rows[0]?.changed ?? [];
  if (changed.length === 0) return;
  const version = row.version + 1;
  await tx.query('UPDATE webhook_gym_facts SET facts = $2, version = $3, updated_at = now() WHERE gym_id = $1', [
    gymId,
    current,
    version,
  ]);
  await addEvent(tx, 'gym.facts.changed', `gym.facts.changed:${gymId}:${version}`, {
    gym: gymOf(c),
    version,
    call_id: callId,
    changed,
    facts: JSON.parse(current) as NormalisedFacts,
    previous: row.previous,
  });
}

interface CampaignRow {
  id: string;
  name: string;
  topics: string[];
  created_at: Date;
  gyms: number;
  states: Record<string, number>;
  final_states: Record<string, number>;
  dials: number;
}

export interface WebhookEventsOptions {
  /** The event types WEBHOOK_EVENTS asks for; others are never written. */
  readonly events: ReadonlySet<WebhookEventType>;
  readonly log?: Logger;
}

export class WebhookEvents {
  constructor(private readonly o: WebhookEventsOptions) {}

  /** In the transaction of a write that may have ended `callId`: its events, if that write closed its record. */
  callEnded = (tx: pg.PoolClient, callId: string): Promise<void> =>
    this.#inSavepoint(tx, 'call', async () => {
      const c = await closedCall(tx, callId);
      if (c === undefined) return;
      if (this.o.events.has('call.completed'))
        await addEvent(tx, 'call.completed', `call.completed:${c.id}`, await callCompletedData(tx, c));
      // Only a reported end can bring facts: a call without a session stated none.
      if (this.o.events.has('gym.facts.changed') && c.gym_id !== null && c.end_reason !== null)
        await gymFactsChanged(tx, Number(c.gym_id), c.id, c);
    });

  /**
   * In the transaction that stored a front-desk caller's message: message.taken, for the gym's staff to call back.
   * Unlike the other events it carries a caller's name, number and words: that message is what the gym asked for,
   * and it goes only to the configured, signed receiver.
   */
  messageTaken = (tx: pg.PoolClient, messageId: number): Promise<void> =>
    this.#inSavepoint(tx, 'message', async () => {
      if (!this.o.events.has('message.taken')) return;
      const r = await tx.query<{
        id: string;
        call_id: string;
        name: string;
        callback_number: string;
        reason: string;
        taken_at: Date;
        gym_id: string | null;
        gym_name: string | null;
        gym_phone: string | null;
        gym_timezone: string | null;
      }>(
        `SELECT m.id, m.call_id, m.name, m.callback_number, m.reason, m.taken_at, m.gym_id,
                g.name AS gym_name, g.phone AS gym_phone, g.timezone AS gym_timezone
           FROM call_messages m LEFT JOIN gyms g ON g.id = m.gym_id WHERE m.id = $1`,
        [messageId],
      );
      const m = r.rows[0];
      if (m === undefined) return;
      await addEvent(tx, 'message.taken', `message.taken:${m.id}`, {
        message_id: Number(m.id),
        call_id: m.call_id,
        gym:
          m.gym_id === null
            ? null
            : { id: Number(m.gym_id), name: m.gym_name, phone: m.gym_phone, timezone: m.gym_timezone },
        name: m.name,
        callback_number: m.callback_number,
        reason: m.reason,
        taken_at: m.taken_at.toISOString(),
      });
    });

  /** In the transaction that marked campaigns done: one campaign.completed each, with its final tallies. */
  campaignsCompleted = (tx: pg.PoolClient, ids: readonly number[], at: Date): Promise<void> =>
    this.#inSavepoint(tx, 'campaign', async () => {
      if (ids.length === 0 || !this.o.events.has('campaign.completed')) return;
      const r = await tx.query<CampaignRow>(
        `SELECT c.id, c.name, c.topics, c.created_at,
                (SELECT count(*) FROM campaign_gyms g WHERE g.campaign_id = c.id)::int AS gyms,
                (SELECT COALESCE(jsonb_object_agg(state, n), '{}') FROM
                   (SELECT state, count(*)::int n FROM campaign_gyms WHERE campaign_id = c.id GROUP BY state) s) AS states,
                (SELECT COALESCE(jsonb_object_agg(final_state, n), '{}') FROM
                   (SELECT final_state, count(*)::int n FROM campaign_gyms
                     WHERE campaign_id = c.id AND final_state IS NOT NULL GROUP BY final_state) f) AS final_states,
                (SELECT count(*) FROM campaign_attempts a WHERE a.campaign_id = c.id)::int AS dials
           FROM campaigns c WHERE c.id = ANY($1::bigint[]) ORDER BY c.id`,
        [ids],
      );
      for (const c of r.rows)
        await addEvent(tx, 'campaign.completed', `campaign.completed:${c.id}`, {
          campaign_id: Number(c.id),
          name: c.name,
          topics: c.topics,
          created_at: c.created_at.toISOString(),
          completed_at: at.toISOString(),
          gyms: c.gyms,
          states: c.states,
          final_states: c.final_states,
          dials: c.dials,
        });
    });

  /**
   * An event must never cost the change its write: a permanent failure here (a bug, a constraint) is rolled back to
   * the savepoint, logged and the change commits without its event. A connection-level error fails the whole
   * transaction, which its writer retries (the write queue, the next sweep or engine pass), event included.
   */
  async #inSavepoint(tx: pg.PoolClient, what: string, fn: () => Promise<void>): Promise<void> {
    await tx.query('SAVEPOINT webhook_event');
    try {
      await fn();
      await tx.query('RELEASE SAVEPOINT webhook_event');
    } catch (e) {
      if (isRetryableDbError(e)) throw e;
      await tx.query('ROLLBACK TO SAVEPOINT webhook_event');
      this.o.log?.error({ err: describeDbError(e), what }, 'webhook event not recorded');
    }
  }
}
