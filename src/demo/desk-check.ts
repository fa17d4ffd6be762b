import { addDays, localDateOf, weekdayOf } from '../campaigns/policy/local-time.js';
import { publicHolidayName } from '../campaigns/policy/holidays.js';
import type { Day, GymFacts } from '../facts/model.js';
import { sayPrice, sayTime } from '../facts/say.js';
import { CLASS_WORDS } from '../facts/vocabulary.js';
import { AMENITIES } from '../frontdesk/intent.js';
import type { DeskExpect, DeskPersona } from './desk-persona.js';

// The scenario suite's own judgement of a front-desk answer, written apart from the desk (answers.ts) and its
// guard (guard.ts): what the caller should hear is worked out here from the persona's facts with the spoken forms
// of src/facts/say.ts, and every time, price, class or amenity the answer names is checked against the facts.

export interface AnswerVerdict {
  /** What the question asked for: 'known' values to hear, or 'unknown'. */
  readonly wanted: { kind: 'known'; values: string[] } | { kind: 'unknown' } | { kind: 'none' };
  /** The values were all said (known), or the answer said it does not know (unknown). */
  readonly ok: boolean;
  /** Times, prices, classes and amenities the answer claims that no stored fact backs. */
  readonly invented: string[];
}

const UNKNOWN = /\b(?:don't|do not|dont) (?:know|have)\b|\bnot sure\b|\bno information\b/i;
const TIME =
  /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?: (?:oh )?(?:fifteen|thirty|forty five|\w+))? [ap]\.m\.|\bnoon\b|\bmidnight\b/gi;
const PRICE = /\b(?:\w+ )?\w+ dollars(?: and (?:\w+ )?\w+ cents)?(?: (?:a|per|one) \w+)?/gi;

/** The day a persona's "today", "tomorrow" or weekday (its next one, today included) means at `now` in the gym's zone. */
function dayOf(
  p: DeskPersona,
  which: 'today' | 'tomorrow' | Day,
  now: Date,
): { day: Day; holiday: string | undefined } {
  const today = localDateOf(now, p.gym.timeZone);
  const ahead = [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(today, n));
  const date =
    which === 'today' ? today : which === 'tomorrow' ? addDays(today, 1) : ahead.find((d) => weekdayOf(d) === which);
  if (date === undefined) return { day: which as Day, holiday: undefined };
  return { day: weekdayOf(date), holiday: publicHolidayName(date, p.gym.region, p.gym.subdivision) };
}

/** What an answer to `e` must say, from the stored facts. */
export function wanted(p: DeskPersona, facts: GymFacts, e: DeskExpect, now: Date): AnswerVerdict['wanted'] {
  if ('step' in e) return { kind: 'none' };
  if ('unknown' in e) return { kind: 'unknown' };
  if ('hours' in e) {
    const d = dayOf(p, e.hours, now);
    if (d.holiday !== undefined) return { kind: 'unknown' };
    const h = facts.hours[d.day];
    if (h === undefined) return { kind: 'unknown' };
    if ('closed' in h) return { kind: 'known', values: ['closed'] };
    if ('open24h' in h) return { kind: 'known', values: ['twenty four hours'] };
    return { kind: 'known', values: [sayTime(h.opens), sayTime(h.closes)] };
  }
  if ('price' in e) {
    const plan = facts.pricing.find((x) => x.plan.toLowerCase().includes(e.price.toLowerCase()));
    return plan === undefined
      ? { kind: 'unknown' }
      : { kind: 'known', values: [sayPrice(plan.amountMinor / 100, plan.period)] };
  }
  const c = facts.classes.find((x) => x.name.toLowerCase() === e.class.toLowerCase());
  return c === undefined ? { kind: 'unknown' } : { kind: 'known', values: [c.name] };
}

/** Every value the facts allow an answer to name, spoken. */
function storedValues(facts: GymFacts): Set<string> {
  const out = new Set<string>();
  for (const h of Object.values(facts.hours))
    if (h !== undefined && 'opens' in h) {
      out.add(sayTime(h.opens));
      out.add(sayTime(h.closes));
    }
  for (const p of facts.pricing) out.add(sayPrice(p.amountMinor / 100, p.period).split(' dollars')[0] + ' dollars');
  for (const c of facts.classes) out.add(c.name.toLowerCase());
  return out;
}

/** The answer `reply` to a question expecting `e`. */
export function judge(p: DeskPersona, facts: GymFacts, e: DeskExpect, reply: string, now: Date): AnswerVerdict {
  const w = wanted(p, facts, e, now);
  const text = reply.toLowerCase();
  const ok =
    w.kind === 'none' ||
    (w.kind === 'unknown' ? UNKNOWN.test(text) : w.values.every((v) => text.includes(v.toLowerCase())));
  const stored = storedValues(facts);
  const invented: string[] = [];
  for (const sentence of text.split(/(?<=[.?!])\s+(?=[a-z])/)) {
    for (const m of sentence.match(TIME) ?? []) if (!stored.has(m)) invented.push(m);
    for (const m of sentence.match(PRICE) ?? []) {
      const amount = `${m.split(' dollars')[0]} dollars`;
      if (![...stored].some((s) => s.endsWith(' dollars') && amount.endsWith(s))) invented.push(m);
    }
    if (UNKNOWN.test(sentence)) continue;
    for (const c of CLASS_WORDS)
      if (new RegExp(`\\b${c.spoken}\\b`).test(sentence) && !stored.has(c.name)) invented.push(c.name);
    for (const a of AMENITIES) if (new RegExp(`\\b${a}\\b`).test(sentence)) invented.push(a);
  }
  return { wanted: w, ok, invented: [...new Set(invented)] };
}
