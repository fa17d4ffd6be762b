import type { Attempt, AttemptOutcome, CampaignPolicy, RetryRules, WindowRules } from '../types.js';
import { TOPICS } from '../../facts/model.js';

// The one place that says what each outcome of a call means for the campaign, like src/providers/retry.ts does
// for providers. An outcome names a rule; the rule's numbers are per campaign (CampaignPolicy.retry), with the
// defaults below. plan.ts applies them to a gym's attempts.

export type RetryRule =
  /** The line never got a conversation going: wait the next backoff step (15 min, 2 h, the next day). */
  | 'backoff'
  /** A voicemail answered: one message only, the next try on another day. */
  | 'voicemail'
  /** Hold too long or a phone tree that never reached a person: try at another time of day. */
  | 'other-time-of-day'
  /** The gym asked to be called back: at that time, asking for that person. */
  | 'callback'
  /** A person talked and something is still missing: try again later for the rest only. */
  | 'partial'
  /** A person talked and answered or refused everything asked: nothing to retry for. */
  | 'done'
  /** The gym must not be called again in this campaign. */
  | 'final';

export const OUTCOME_RULES: Readonly<Record<AttemptOutcome, RetryRule>> = Object.freeze({
  busy: 'backoff',
  failed: 'backoff',
  'no-answer': 'backoff',
  'voicemail-left': 'voicemail',
  'voicemail-full': 'voicemail',
  'voicemail-skipped': 'voicemail',
  'hold-timeout': 'other-time-of-day',
  'ivr-stuck': 'other-time-of-day',
  'callback-requested': 'callback',
  partial: 'partial',
  completed: 'done',
  refused: 'done',
  'wrong-number': 'final',
  'not-a-gym': 'final',
  'permanently-closed': 'final',
  'do-not-call': 'final',
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_RETRY: RetryRules = Object.freeze({
  backoff: Object.freeze([15 * MINUTE, 2 * HOUR, 'next-day'] as const),
  voicemailDays: 1,
  otherTimeOfDayMs: 3 * HOUR,
  partial: 'next-day',
});

export const DEFAULT_WINDOW: WindowRules = Object.freeze({
  earliest: '08:00',
  latest: '21:00',
  defaultDays: Object.freeze(['mon', 'tue', 'wed', 'thu', 'fri'] as const),
  defaultFrom: '10:00',
  defaultTo: '17:00',
  afterOpeningMin: 30,
  beforeClosingMin: 30,
  skipHolidays: true,
});

export const DEFAULT_POLICY: CampaignPolicy = Object.freeze({
  topics: TOPICS,
  maxAttempts: 6,
  minSpacingMs: 15 * MINUTE,
  factsMaxAgeDays: 90,
  window: DEFAULT_WINDOW,
  retry: DEFAULT_RETRY,
  maxConcurrent: 5,
});

/** How many of the latest attempts in a row the backoff rule covered: the step the next wait takes. */
export function backoffStreak(history: readonly Attempt[]): number {
  let n = 0;
  for (let i = history.length - 1; i >= 0 && OUTCOME_RULES[(history[i] as Attempt).outcome] === 'backoff'; i--) n++;
  return n;
}

/** Checks a policy's numbers and says clearly what is wrong: a campaign's options come from users. */
export function policyProblems(p: CampaignPolicy): string[] {
  const out: string[] = [];
  const hhmm = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1 || p.maxAttempts > 50)
    out.push('maxAttempts must be a whole number from 1 to 50');
  if (!(p.minSpacingMs >= 0)) out.push('minSpacingMs must be 0 or more');
  if (!(p.factsMaxAgeDays >= 1)) out.push('factsMaxAgeDays must be 1 or more');
  if (!Number.isInteger(p.maxConcurrent) || p.maxConcurrent < 1) out.push('maxConcurrent must be 1 or more');
  if (p.topics.length === 0 || p.topics.some((t) => !TOPICS.includes(t)))
    out.push(`topics must be some of ${TOPICS.join(', ')}`);
  const w = p.window;
  for (const k of ['earliest', 'latest', 'defaultFrom', 'defaultTo'] as const)
    if (!hhmm.test(w[k])) out.push(`window.${k} must be HH:MM (24-hour)`);
  // "HH:MM" strings order as the times do; the order is checked only once both ends are times.
  if (hhmm.test(w.earliest) && hhmm.test(w.latest) && w.earliest >= w.latest)
    out.push('window.earliest must be before window.latest');
  if (hhmm.test(w.defaultFrom) && hhmm.test(w.defaultTo) && w.defaultFrom >= w.defaultTo)
    out.push('window.defaultFrom must be before window.defaultTo');
  if (!(w.afterOpeningMin >= 0) || !(w.beforeClosingMin >= 0)) out.push('window minutes must be 0 or more');
  if (p.retry.backoff.length === 0) out.push('retry.backoff needs at least one wait');
  for (const b of [...p.retry.backoff, p.retry.partial])
    if (b !== 'next-day' && !(b > 0)) out.push("retry waits must be more than 0 ms or 'next-day'");
  if (!Number.isInteger(p.retry.voicemailDays) || p.retry.voicemailDays < 1)
    out.push('retry.voicemailDays must be 1 or more');
  return out;
}
