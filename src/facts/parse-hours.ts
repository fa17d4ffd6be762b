import { DAYS, hoursKey, type Day, type DayHours } from './model.js';
import { validRange } from './parse-time.js';
import { entities, type Entity } from './hours-entities.js';

// Opening hours from a token stream. The utterance is turned into an ordered list of entities (hours-entities.ts);
// each value is then paired with the nearest unpaired day set, in either order ("monday through friday five to
// eleven" and "five to eleven monday through friday" both work), by what is said between them. Spoken answers carry
// no punctuation, so nothing here relies on commas.

export interface HoursResult {
  hours: Partial<Record<Day, DayHours>>;
  /** A time range or "closed" was heard but could not be tied to days and days were not implied. */
  unresolved: boolean;
}

/**
 * Words that start a new "days value" pair after a value: "seven to seven and sunday eight to four". Between a value
 * and the day set after it, these (or words the answer would not have, the recogniser's leftovers of lost ones)
 * part the two; fillers alone ("on", "from", "it's", "uh") tie them: "six to ten from monday to friday".
 */
const NEW_PAIR = new Set(['and', 'but', 'then', 'plus', 'also']);
const FILLERS = new Set(['on', 'at', 'the', 'every', 'for', 'from', 'is', "it's", 'it', 'are', "we're", 'um', 'uh']);
/** Words between a day set and the value after it that lead into it: "saturday is nine until one", "sundays we open at eight". */
const LEADS_ON = new Set([
  'is',
  "it's",
  'it',
  'are',
  "we're",
  'we',
  "they're",
  'from',
  'open',
  'opens',
  'at',
  'hours',
  'our',
  'the',
  'um',
  'uh',
]);
const MAX_LEAD_WORDS = 4;

/**
 * Whether the day set at ents[k] (with the day sets joined to it) has a value of its own right after it, and the
 * value before it (ending at token `valueNext`) is not tied to it. Then the day set is the first half of a "days
 * value" pair, and the value before it has no days: "five thirty to ten [lost words] saturday it's seven to seven".
 */
function leadsOwnValue(tokens: readonly string[], ents: readonly Entity[], k: number, valueNext: number): boolean {
  const e = ents[k];
  if (e === undefined) return false;
  const gap = tokens.slice(valueNext, e.at);
  // Tied back by one stray word between the two (the recogniser's "ten p.m. to monday") ...
  const [one] = gap;
  if (gap.length === 1 && one !== undefined && !NEW_PAIR.has(one) && !LEADS_ON.has(one)) return false;
  // ... or by fillers ("six to ten from monday to friday"), unless fillers lead this day set alone into a value of
  // its own that no later days are tied to: "ten p.m. it's saturday it's seven to seven and sunday …", where the
  // value before it is the weekdays' (lost); "six to ten is monday to friday eight to two saturdays" stays a
  // "value days" answer.
  if (gap.every((w) => FILLERS.has(w))) return gap.length > 0 && leadsDirectly(tokens, ents, k);
  // The day sets joined to it ("saturday and sunday it's seven to seven"), and no further.
  let r = k;
  while (ents[r + 1]?.kind === 'days' && joinedDays(tokens, ents[r] as Entity, ents[r + 1] as Entity)) r++;
  return valueLed(tokens, ents[r] as Entity, ents[r + 1]);
}

/** The day set ents[k] alone leads into the value after it, and that value has no day set tied to it after it. */
function leadsDirectly(tokens: readonly string[], ents: readonly Entity[], k: number): boolean {
  const value = ents[k + 1];
  if (value === undefined || !valueLed(tokens, ents[k] as Entity, value)) return false;
  const then = ents[k + 2];
  return !(then?.kind === 'days' && tokens.slice(value.next, then.at).every((w) => FILLERS.has(w)));
}

/** `value` is a value said right after the day set `days`, with at most a few leading words between. */
function valueLed(tokens: readonly string[], days: Entity, value: Entity | undefined): boolean {
  if (value === undefined || value.kind === 'days' || value.kind === 'bound') return false;
  const between = tokens.slice(days.next, value.at);
  return between.length <= MAX_LEAD_WORDS && between.every((w) => LEADS_ON.has(w));
}

function joinedDays(tokens: readonly string[], a: Entity, b: Entity): boolean {
  return tokens.slice(a.next, b.at).every((w) => w === 'and' || w === 'or');
}

export function parseHours(tokens: readonly string[]): HoursResult {
  const ents = entities(tokens);
  const hours: Partial<Record<Day, DayHours>> = {};
  let pendingDays: Day[] | undefined;
  let pending: { value: DayHours; next: number } | undefined;
  // Values that turned out to have no days of their own: one of them is "the other days"; more are unclear.
  const orphans: DayHours[] = [];
  // The last day set that got a value: "closed on saturdays and sundays" extends it to the next day set.
  let last: { end: number; value: DayHours } | undefined;
  // One-ended times and their days, applied once every day has what the rest of the answer gives it.
  const bounds: { days: Day[]; end: 'opens' | 'closes'; time: string }[] = [];
  let pendingBound: Extract<Entity, { kind: 'bound' }> | undefined;
  // The bound last given days, and where they ended: "open at seven on saturdays and sundays" gives both.
  let lastBound: { days: Day[]; end: number } | undefined;
  const assign = (days: readonly Day[], v: DayHours): void => {
    for (const d of days) hours[d] = v;
  };
  for (const [k, e] of ents.entries()) {
    if (e.kind === 'bound') {
      if (pendingDays) {
        bounds.push({ days: pendingDays, end: e.end, time: e.time });
        pendingDays = undefined;
        last = undefined;
      } else pendingBound = e;
      continue;
    }
    if (e.kind === 'days' && pendingBound) {
      // The nearest value before a day set is its own: "six to ten, but we close at noon on sundays".
      const b = { days: [...e.days], end: pendingBound.end, time: pendingBound.time };
      bounds.push(b);
      lastBound = { days: b.days, end: e.next };
      pendingBound = undefined;
      continue;
    }
    if (e.kind === 'days' && lastBound && tokens.slice(lastBound.end, e.at).every((w) => w === 'and' || w === 'on')) {
      lastBound.days.push(...e.days);
      lastBound.end = e.next;
      continue;
    }
    lastBound = undefined;
    if (e.kind === 'days') {
      // Joined by "and", and not itself the start of a new "days value" pair ("… and saturday eight to six",
      // "… and saturday and sunday it is seven to seven"): look past the run of day sets that follows.
      let r = k + 1;
      while (ents[r]?.kind === 'days') r++;
      const next = ents[r];
      // ... unless those day sets have a value of their own: "saturdays eight till six and sundays nine till five".
      const after = ents[r + 1];
      const ownValue =
        next !== undefined && (after?.kind !== 'days' || (ents[r + 2] !== undefined && ents[r + 2]?.kind !== 'days'));
      const joined =
        last && !ownValue && tokens.slice(last.end, e.at).every((w) => w === 'and' || w === 'or' || w === 'on');
      if (pending && leadsOwnValue(tokens, ents, k, pending.next)) {
        orphans.push(pending.value);
        pending = undefined;
      }
      if (pending) {
        assign(e.days, pending.value);
        last = { end: e.next, value: pending.value };
        pending = undefined;
      } else if (last && joined && !pendingDays) {
        assign(e.days, last.value);
        last = { end: e.next, value: last.value };
      } else if (pendingDays && !e.days.every((d) => pendingDays?.includes(d))) {
        pendingDays = [...new Set([...pendingDays, ...e.days])];
      } else {
        // A list never names a day twice: days already named, named again, start over. "We're open daily,
        // fridays we shut at nine" is about fridays.
        pendingDays = e.days;
      }
      continue;
    }
    const v: DayHours =
      e.kind === 'range'
        ? { opens: e.opens, closes: e.closes }
        : e.kind === 'closed'
          ? { closed: true }
          : { open24h: true };
    if (pendingDays) {
      assign(pendingDays, v);
      pendingDays = undefined;
      last = undefined;
    } else {
      // A second value before any day ("six to ten, and eight to six on weekends", "seven to eight and closed on
      // sundays"): the first one has no days of its own, and stands for the days not otherwise named.
      // The same value twice ("we never close, we're open twenty four seven") is one.
      if (pending && hoursKey(pending.value) !== hoursKey(v)) orphans.push(pending.value);
      pending = { value: v, next: e.next };
    }
  }
  if (pending) orphans.push(pending.value);
  // A value never tied to days. "We're open twenty four hours" or "six a m to ten p m" with no day named at all
  // means every day; after named days it means the remaining days. Two such values cannot both be the rest of the
  // week: which days each is for was not heard, and none is guessed. "Closed" with no day is never generalised
  // ("we're closed right now").
  // Days named last with no value after them ("… and sunday [lost words]") are not the rest of the week either.
  const [rest] = orphans;
  const unresolved = orphans.length > 1 || (rest !== undefined && 'closed' in rest) || pendingDays !== undefined;
  if (orphans.length === 1 && rest && !('closed' in rest))
    for (const d of DAYS)
      if (hours[d] === undefined && !pendingDays?.includes(d) && !bounds.some((b) => b.days.includes(d)))
        hours[d] = rest;
  applyBounds(hours, bounds, orphans.length === 1 ? rest : undefined);
  return { hours, unresolved };
}

/** Days with the same hours that make them the usual hours a one-ended day borrows from (applyBounds). */
const MOST_OF_THE_WEEK = 4;

/**
 * "We're open six to ten, but we close at noon on sundays": a day with only one end said takes the other from
 * what it already has, else from the hours most of the week has (four days or more). Without either, it is left
 * out: a closing time alone is no opening hours, and one other day's ("fridays we shut at nine, saturday seven to
 * five") is no more than a guess.
 */
function applyBounds(
  hours: Partial<Record<Day, DayHours>>,
  bounds: readonly { days: readonly Day[]; end: 'opens' | 'closes'; time: string }[],
  general: DayHours | undefined,
): void {
  if (bounds.length === 0) return;
  const counts = new Map<string, number>();
  for (const h of Object.values(hours))
    if (h && 'opens' in h) counts.set(JSON.stringify(h), (counts.get(JSON.stringify(h)) ?? 0) + 1);
  const [usual, usualDays = 0] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  const base: DayHours | undefined =
    general && 'opens' in general
      ? general
      : usual && usualDays >= MOST_OF_THE_WEEK
        ? (JSON.parse(usual) as DayHours)
        : undefined;
  for (const b of bounds)
    for (const d of b.days) {
      const own = hours[d];
      const from = own && 'opens' in own ? own : own === undefined ? base : undefined;
      if (!from || !('opens' in from)) continue;
      const v = { opens: from.opens, closes: from.closes, [b.end]: b.time };
      if (validRange(v)) hours[d] = v;
    }
}
