import type { Topic } from '../../facts/model.js';
import type { Attempt, AttemptOutcome, FinalState, PlanDecision, PlanInput, Wait } from '../types.js';
import { planTopics } from './follow-up.js';
import { addDays, instantOf, localDateOf, localMinuteOf, parseLocalIso } from './local-time.js';
import { backoffStreak, OUTCOME_RULES } from './retry-rules.js';
import { around, hardLimitsEnd, isWithinHardLimits, nextCallSlot, type Span } from './windows.js';

// planNextAttempt: the campaign policy as the engine calls it, after each attempt and when a gym is first queued.
// The last attempt's outcome names a retry rule (retry-rules.ts); the rule gives the earliest time and what to
// avoid; the calling windows (windows.ts) give the first instant at or after it; the follow-up planner
// (follow-up.ts) gives what the call asks and confirms. Pure: the time is `now`, nothing is read from anywhere.

/** The start of the gym's local day `days` after the one `at` falls in. */
function startOfLocalDay(at: Date, days: number, tz: string): Date {
  return instantOf(addDays(localDateOf(at, tz), days), 0, tz);
}

function waitFrom(at: Date, wait: Wait, tz: string): Date {
  return wait === 'next-day' ? startOfLocalDay(at, 1, tz) : new Date(at.getTime() + wait);
}

function refusedTopics(history: readonly Attempt[]): Set<Topic> {
  return new Set(history.flatMap((a) => a.refused ?? []));
}

/** The person to ask for: the latest callback's, unless a conversation has happened since it. */
function personToAskFor(history: readonly Attempt[]): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const a = history[i] as Attempt;
    if (a.outcome === 'callback-requested') return a.callback?.person;
    if (['completed', 'partial', 'refused'].includes(a.outcome)) return undefined;
  }
  return undefined;
}

/** The final outcomes' gym states (retry-rules.ts says which outcomes are final). */
const FINAL_STATES: Partial<Record<AttemptOutcome, FinalState>> = {
  'wrong-number': 'wrong-number',
  'not-a-gym': 'not-a-gym',
  'permanently-closed': 'permanently-closed',
  'do-not-call': 'do-not-call',
};

const max = (...ds: Date[]): Date => new Date(Math.max(...ds.map((d) => d.getTime())));

interface Timing {
  readonly notBefore: Date;
  readonly reason: string;
  /** Local spans the next call keeps out of (another time of day). */
  readonly avoid?: readonly Span[];
  /** The gym named this instant: it is kept even outside the usual window, inside the hard limits. */
  readonly exact?: Date;
}

/** When the last attempt's rule allows the next one. */
function timingAfter(last: Attempt, input: PlanInput): Timing {
  const { gym, history, policy } = input;
  const tz = gym.timeZone;
  const rule = OUTCOME_RULES[last.outcome];
  if (rule === 'backoff') {
    const steps = policy.retry.backoff;
    const step = Math.min(backoffStreak(history), steps.length) - 1;
    const wait = steps[Math.max(0, step)] ?? 'next-day';
    return { notBefore: waitFrom(last.at, wait, tz), reason: `${last.outcome}: backoff step ${step + 1}` };
  }
  if (rule === 'voicemail') {
    return {
      notBefore: startOfLocalDay(last.at, policy.retry.voicemailDays, tz),
      reason: `${last.outcome}: another day`,
    };
  }
  if (rule === 'other-time-of-day') {
    // Away from the time of day of every hold timeout or stuck phone tree so far.
    const radius = Math.round(policy.retry.otherTimeOfDayMs / 60_000);
    const avoid = history
      .filter((a) => OUTCOME_RULES[a.outcome] === 'other-time-of-day')
      .flatMap((a) => around(localMinuteOf(a.at, tz), radius));
    return { notBefore: last.at, avoid, reason: `${last.outcome}: another time of day` };
  }
  if (rule === 'callback') {
    const said = last.callback?.earliestLocal !== undefined ? parseLocalIso(last.callback.earliestLocal) : undefined;
    if (said === undefined) {
      return { notBefore: waitFrom(last.at, policy.retry.partial, tz), reason: 'callback requested, no time said' };
    }
    const at = instantOf(said.date, said.minute ?? 0, tz);
    if (said.minute === undefined) return { notBefore: at, reason: 'callback requested on that day' };
    return { notBefore: at, exact: at, reason: 'callback requested at that time' };
  }
  return { notBefore: waitFrom(last.at, policy.retry.partial, tz), reason: `${last.outcome}: the rest later` };
}

export function planNextAttempt(input: PlanInput): PlanDecision {
  const { gym, history, policy, now } = input;
  const last = history[history.length - 1];
  if (last !== undefined && OUTCOME_RULES[last.outcome] === 'final') {
    return { kind: 'final', state: FINAL_STATES[last.outcome] ?? 'do-not-call', reason: `last call: ${last.outcome}` };
  }
  const refused = refusedTopics(history);
  const { topicsToAsk, factsToConfirm } = planTopics(policy.topics, input.facts, refused, now, policy.factsMaxAgeDays);
  const allRefused = policy.topics.every((t) => refused.has(t));
  if (allRefused) return { kind: 'final', state: 'refused', reason: 'every topic refused' };
  // A call that got everything it asked is the end, whether or not the facts store has caught up yet.
  if (
    last?.outcome === 'completed' ||
    last?.outcome === 'refused' ||
    (topicsToAsk.length === 0 && factsToConfirm.length === 0)
  ) {
    if (history.length === 0) return { kind: 'final', state: 'nothing-to-ask', reason: 'facts complete and fresh' };
    return {
      kind: 'final',
      state: 'completed',
      reason: refused.size > 0 ? `done; refused: ${[...refused].join(', ')}` : 'done',
    };
  }
  if (history.length >= policy.maxAttempts) {
    return { kind: 'final', state: 'attempts-exhausted', reason: `${history.length} attempts` };
  }
  const timing: Timing = last === undefined ? { notBefore: now, reason: 'first call' } : timingAfter(last, input);
  const spaced = last === undefined ? now : new Date(last.at.getTime() + policy.minSpacingMs);
  const earliest = max(timing.notBefore, spaced, now);
  const brief = {
    topicsToAsk,
    factsToConfirm,
    askFor: personToAskFor(history),
    leaveVoicemail: !history.some((a) => a.outcome === 'voicemail-left'),
  };
  // The gym's own "call back at two" is kept when it is still ahead and inside the hard limits, even outside the
  // usual window (they asked); once past, the next window serves.
  if (
    timing.exact !== undefined &&
    timing.exact.getTime() >= earliest.getTime() - 60_000 &&
    isWithinHardLimits(gym, earliest, policy.window)
  ) {
    return {
      kind: 'call',
      at: earliest,
      until: hardLimitsEnd(gym, earliest, policy.window),
      reason: timing.reason,
      brief,
    };
  }
  const slot =
    nextCallSlot(gym, earliest, policy.window, timing.avoid) ??
    // Every window of the horizon falls in the avoided time of day or the class rush: any window beats none.
    nextCallSlot(gym, earliest, policy.window) ??
    nextCallSlot({ ...gym, busyTimes: [] }, earliest, policy.window);
  if (slot === undefined) {
    return { kind: 'final', state: 'attempts-exhausted', reason: `no calling window within the next weeks` };
  }
  return { kind: 'call', at: slot.at, until: slot.until, reason: timing.reason, brief };
}
