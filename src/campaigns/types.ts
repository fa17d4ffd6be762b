import type { CallOutcome, CallbackRequest } from '../../machines/outcomes.js';
import type { Day, DayHours, GymClass, MembershipPlan, Topic } from '../facts/model.js';
import type { ConversationBrief } from '../providers/llm/types.js';

// The interface between the campaign engine (src/campaigns/*: durable jobs, dialling, concurrency) and the campaign
// policy (src/campaigns/policy/: when to call a gym, what to do after each outcome, what a follow-up asks). The
// policy is pure: the engine hands it the gym, the attempts so far, the facts and the time, and gets back either
// the next call (when, why, what it carries) or a final state. Nothing here reads a clock, the database or the env.

/** How a dialled line ended before any conversation, in Twilio's words, when it is not a call outcome already. */
export const LINE_OUTCOMES = ['busy', 'failed'] as const;
export type LineOutcome = (typeof LINE_OUTCOMES)[number];

/**
 * What one attempt came to: the call's outcome (machines/outcomes.ts) when the line connected, a line outcome
 * when it did not (Twilio's `no-answer` is the call outcome `no-answer`; `canceled` counts as `failed`), or
 * `do-not-call` when the gym asked never to be called again (the number is on the suppression list).
 */
export type AttemptOutcome = CallOutcome | LineOutcome | 'do-not-call';

/** One dial of a gym in a campaign, as the engine recorded it. */
export interface Attempt {
  /** When the gym was dialled. */
  readonly at: Date;
  readonly outcome: AttemptOutcome;
  /** The call's id (calls.id), when a call record exists. */
  readonly callId?: string | undefined;
  /** Topics the gym refused in this call (call_refusals): never asked again in the campaign. */
  readonly refused?: readonly Topic[] | undefined;
  /** The callback the gym asked for (call_callbacks), with `earliestLocal` in the gym's time zone. */
  readonly callback?: CallbackRequest | undefined;
}

/** A weekly time span in the gym's local wall-clock time ("HH:MM", 24-hour; `to` after `from`). */
export interface WeeklySpan {
  readonly day: Day;
  readonly from: string;
  readonly to: string;
}

/** What the policy needs to know about a gym to place a call in its day. */
export interface GymCallingContext {
  /** gyms.id, as text (bigint). */
  readonly gymId: string;
  /** IANA zone of the gym (gyms.timezone). */
  readonly timeZone: string;
  /** ISO 3166-1 alpha-2 country for public holidays ("US", "DE"); none known → no holidays are skipped. */
  readonly country?: string | undefined;
  /** Subdivision for regional holidays ("CA", "BY"), ISO 3166-2 without the country. */
  readonly region?: string | undefined;
  /** Known opening hours per weekday (the gym's current facts); missing days are unknown. */
  readonly hours?: Partial<Record<Day, DayHours>> | undefined;
  /** The busiest class times, when known: calls avoid them. */
  readonly busyTimes?: readonly WeeklySpan[] | undefined;
}

/** One topic's state for follow-ups: src/gyms/freshness.ts's GymFreshness fits this shape. */
export interface FactsTopicState {
  /** Nothing known for the topic. */
  readonly missing: boolean;
  /** When the topic was last confirmed (hours: its least recently confirmed day); null when never. */
  readonly oldestConfirmedAt: Date | null;
  /** low: the last call said something different from the one before, unconfirmed since. */
  readonly confidence: 'high' | 'medium' | 'low' | null;
}

/** The gym's current facts per topic and how fresh they are (src/gyms/freshness.ts gymFreshness). */
export interface GymFactsState {
  readonly topics: {
    readonly hours: FactsTopicState & {
      readonly value: Partial<Record<Day, DayHours>>;
      /** Days no call has stated yet. */
      readonly missingDays: readonly Day[];
    };
    readonly pricing: FactsTopicState & { readonly value: readonly MembershipPlan[] };
    readonly classes: FactsTopicState & { readonly value: readonly GymClass[] };
  };
}

/** When a call may be placed, in the gym's local time. */
export interface WindowRules {
  /** Hard limits every call stays inside, "HH:MM" local (08:00 and 21:00). */
  readonly earliest: string;
  readonly latest: string;
  /** Without known opening hours: these days, between `defaultFrom` and `defaultTo` (weekdays, 10:00–17:00). */
  readonly defaultDays: readonly Day[];
  readonly defaultFrom: string;
  readonly defaultTo: string;
  /** Minutes after opening that are avoided (the opening rush): 30. */
  readonly afterOpeningMin: number;
  /** Minutes before closing that are avoided (a call needs the desk still there). */
  readonly beforeClosingMin: number;
  /** Skip the gym's public holidays. */
  readonly skipHolidays: boolean;
}

/** A wait in ms, or until the gym's next local day (its first calling window then). */
export type Wait = number | 'next-day';

/** How the campaign retries, per outcome group (one place for the rules: policy/retry-rules.ts). */
export interface RetryRules {
  /** busy / no-answer / failed: wait these in turn, the last one repeating (15 min, 2 h, the next day). */
  readonly backoff: readonly Wait[];
  /** After a voicemail, the next try is at least this many local days later (1 = another day). */
  readonly voicemailDays: number;
  /** hold-timeout / ivr-stuck: the next call is at least this far from the failed one's time of day. */
  readonly otherTimeOfDayMs: number;
  /** A partial call (some topics still missing), or a callback request without a time: when to try again. */
  readonly partial: Wait;
}

/** Per-campaign configuration of the policy. */
export interface CampaignPolicy {
  /** Topics the campaign collects. */
  readonly topics: readonly Topic[];
  /** Dials per gym, including the first. */
  readonly maxAttempts: number;
  /** Least time between two dials of one gym, whatever the rules say. */
  readonly minSpacingMs: number;
  /** Facts older than this are re-confirmed by a follow-up (FACTS_MAX_AGE_DAYS). */
  readonly factsMaxAgeDays: number;
  readonly window: WindowRules;
  readonly retry: RetryRules;
  /** Calls of this campaign at once (the engine enforces it, with MAX_CONCURRENT_CALLS across replicas). */
  readonly maxConcurrent: number;
}

export type { FactToConfirm } from '../providers/llm/types.js';

/**
 * What a call carries (the engine's dial and POST /v1/calls): the conversation's brief (topics to ask, facts to
 * confirm, the person to ask for), and whether a voicemail may get a message.
 */
export interface CallBrief extends ConversationBrief {
  /** Only one message per gym and campaign: false once one was left (the call then hangs up on a voicemail). */
  readonly leaveVoicemail: boolean;
}

/** A gym's final state in a campaign. */
export type FinalState =
  | 'completed'
  | 'nothing-to-ask'
  | 'refused'
  | 'wrong-number'
  | 'not-a-gym'
  | 'permanently-closed'
  | 'do-not-call'
  | 'attempts-exhausted';

export type PlanDecision =
  | {
      readonly kind: 'call';
      /** When to dial (UTC instant; inside the gym's calling window). */
      readonly at: Date;
      /**
       * No dial at or after this instant: the end of the window `at` is in (a callback at the gym's own time: the
       * end of the hard limits that day). A gym still waiting then, every line busy, is planned again.
       */
      readonly until: Date;
      /** Why this time, in words for logs and the review page (no personal data). */
      readonly reason: string;
      readonly brief: CallBrief;
    }
  | { readonly kind: 'final'; readonly state: FinalState; readonly reason: string };

/** Everything `planNextAttempt` decides on. */
export interface PlanInput {
  readonly gym: GymCallingContext;
  /** This campaign's attempts on the gym, oldest first. */
  readonly history: readonly Attempt[];
  /** The gym's facts now (undefined: nothing known). */
  readonly facts?: GymFactsState | undefined;
  readonly now: Date;
  readonly policy: CampaignPolicy;
}

/** The policy as the engine calls it (src/campaigns/policy/plan.ts implements it). */
export type PlanNextAttempt = (input: PlanInput) => PlanDecision;
