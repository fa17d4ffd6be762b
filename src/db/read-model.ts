import type { Queryable } from './sql.js';
import { getCall, getStatusHistory, type CallRow } from './repositories/calls.js';
import { getTurns, type TurnRow } from './repositories/turns.js';
import { getCallback, getRefusals } from './repositories/outcomes.js';
import { getGym } from './repositories/gyms.js';
import { getGymFactHistory, type FactHistoryItem } from './repositories/facts.js';
import { readNormalisedCallFacts, readNormalisedGymFacts, type NormalisedFacts } from './normalise.js';
import { callDesk, type CallDesk } from '../frontdesk/store.js';

// The JSON shapes of the read side, shared by the API, the review page and the export.

/** A turn as the read side shows it: the stored row with its end time as an ISO string. `heard_text` is what the
 * caller heard of an agent turn (null for caller turns). Mapped field by field in transcriptItem so a column added to
 * the query never leaks into the API unnoticed. */
export type TranscriptItem = Omit<TurnRow, 'ended_at'> & { ended_at: string };

export interface CallDetail {
  call_id: string;
  twilio_call_sid: string | null;
  status: string;
  phone_number: string | null;
  gym_name: string | null;
  gym_id: number | null;
  direction: 'inbound' | 'outbound';
  created_at: string;
  answered_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
  providers: Record<string, unknown>;
  latency: Record<string, unknown> | null;
  updated_at: string;
  /** What the call came to (machines/outcomes.ts); null while live or for calls before outcomes were stored. */
  outcome: string | null;
  /** Keys the agent pressed on a phone tree, one entry per press. */
  keys_pressed: string[];
  /** Time spent on hold, ms. */
  hold_ms: number | null;
  /** The A/B experiment of conversation flows and the variant the call ran (src/flows/); null without one. */
  flow_experiment: string | null;
  flow_variant: string | null;
  /** Twilio answering-machine detection result, when a status change carried one. */
  answered_by: string | null;
  status_history: Array<{ status: string; at: string; detail: Record<string, unknown> | null }>;
  transcript: TranscriptItem[];
  facts: NormalisedFacts;
  /** Topics the gym would not give on the phone, with its words and any web address it pointed to. */
  refusals: Array<{ topic: string; words: string; website: string | null; recorded_at: string }>;
  /** The callback the gym asked for: earliest time in its local wall clock (time_zone), person, topics. */
  callback: {
    earliest_local: string | null;
    time_zone: string | null;
    person: string | null;
    topics: string[];
    words: string;
    recorded_at: string;
  } | null;
  /** What the number called was set to (interview or front-desk); null for calls we placed and older calls. */
  mode: CallDesk['mode'];
  /** Messages a front-desk caller left for the staff (name, callback number, reason, when taken). */
  messages: CallDesk['messages'];
  /** The front desk's transfer to the staff: the number dialled, whether Twilio took it, when. */
  transfer: CallDesk['transfer'];
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function transcriptItem(t: TurnRow): TranscriptItem {
  return {
    seq: t.seq,
    speaker: t.speaker,
    text: t.text,
    heard_text: t.heard_text,
    interrupted: t.interrupted,
    start_ms: t.start_ms,
    end_ms: t.end_ms,
    confidence: t.confidence,
    latency: t.latency,
    detail: t.detail,
    ended_at: t.ended_at.toISOString(),
  };
}

export function callSummary(c: CallRow) {
  return {
    call_id: c.id,
    twilio_call_sid: c.twilio_call_sid,
    status: c.status,
    phone_number: c.phone_number,
    gym_name: c.gym_name,
    gym_id: c.gym_id,
    direction: c.direction,
    created_at: c.created_at.toISOString(),
    answered_at: iso(c.answered_at),
    ended_at: iso(c.ended_at),
    end_reason: c.end_reason,
    providers: c.providers,
    latency: c.latency,
    updated_at: c.updated_at.toISOString(),
    outcome: c.outcome,
    keys_pressed: c.keys_pressed,
    hold_ms: c.hold_ms,
    flow_experiment: c.flow_experiment,
    flow_variant: c.flow_variant,
    language: c.language,
  };
}

export async function callDetail(db: Queryable, callId: string): Promise<CallDetail | undefined> {
  const c = await getCall(db, callId);
  if (!c) return undefined;
  const [history, turns, facts, refusals, callback, desk] = await Promise.all([
    getStatusHistory(db, callId),
    getTurns(db, callId),
    readNormalisedCallFacts(db, callId),
    getRefusals(db, callId),
    getCallback(db, callId),
    callDesk(db, callId),
  ]);
  const answeredBy = [...history].reverse().find((h) => typeof h.detail?.answeredBy === 'string')?.detail
    ?.answeredBy as string | undefined;
  return {
    ...callSummary(c),
    answered_by: answeredBy ?? null,
    status_history: history.map((h) => ({ status: h.status, at: h.at.toISOString(), detail: h.detail })),
    transcript: turns.map(transcriptItem),
    facts,
    refusals: refusals.map((r) => ({ ...r, recorded_at: r.recorded_at.toISOString() })),
    callback: callback === undefined ? null : { ...callback, recorded_at: callback.recorded_at.toISOString() },
    mode: desk.mode,
    messages: desk.messages,
    transfer: desk.transfer,
  };
}

export interface GymDetail {
  gym_id: number;
  name: string;
  phone: string | null;
  timezone: string | null;
  created_at: string;
  updated_at: string;
  facts: NormalisedFacts;
  history: Array<Omit<FactHistoryItem, 'recorded_at'> & { recorded_at: string }>;
}

export async function gymDetail(db: Queryable, gymId: number): Promise<GymDetail | undefined> {
  const g = await getGym(db, gymId);
  if (!g) return undefined;
  const [facts, history] = await Promise.all([readNormalisedGymFacts(db, gymId), getGymFactHistory(db, gymId)]);
  return {
    gym_id: g.id,
    name: g.name,
    phone: g.phone,
    timezone: g.timezone,
    created_at: g.created_at.toISOString(),
    updated_at: g.updated_at.toISOString(),
    facts,
    history: history.map((h) => ({ ...h, recorded_at: h.recorded_at.toISOString() })),
  };
}
