import { hhmm, parseTime, resolveRange, to24, validRange, type TimeMatch } from './parse-time.js';
import { DAYS, type Day } from './model.js';
import { daysAt, isDayWord, type DaySet } from './parse-days.js';

// An opening-hours answer as an ordered list of entities: day sets, time ranges, one end of a day, "closed",
// "twenty four hours". parse-hours.ts pairs the values with the days.

// `at` is an entity's first token, `next` the token after it.
export type Entity =
  | { kind: 'days'; days: Day[]; at: number; next: number }
  | { kind: 'range'; opens: string; closes: string; at: number; next: number }
  /** One end of the day only ("we close at noon on sundays"): the other end is the one the rest of the week has. */
  | { kind: 'bound'; end: 'opens' | 'closes'; time: string; at: number; next: number }
  | { kind: 'closed'; at: number; next: number }
  | { kind: 'open24'; at: number; next: number };

const RANGE_GLUE = new Set([
  'to',
  'till',
  'til',
  'until',
  'through',
  'thru',
  'and',
  'we',
  'it',
  'close',
  'closes',
  'closing',
  'at',
  'then',
  'in',
  'open',
]);

function open24At(tokens: readonly string[], i: number): number | undefined {
  const [a, b, c] = [tokens[i], tokens[i + 1], tokens[i + 2]];
  if ((a === 'twenty' && b === 'four') || a === '24') {
    const j = a === '24' ? i + 1 : i + 2;
    const n = tokens[j];
    if (n === 'hours' || n === 'hour' || n === 'seven' || n === '7') {
      return n === 'hours' && tokens[j + 1] === 'a' && tokens[j + 2] === 'day' ? j + 3 : j + 1;
    }
  }
  if (a === 'around' && b === 'the' && c === 'clock') return i + 3;
  if (a === 'never' && (b === 'close' || b === 'closed')) return i + 2;
  if (a === 'all' && b === 'day' && c === 'and' && tokens[i + 3] === 'night') return i + 4;
  return undefined;
}

function closedAt(tokens: readonly string[], i: number): number | undefined {
  const t = tokens[i];
  // "closed at ten p.m." is a closing time (how people and Moonshine put "close at" in the past tense).
  if (t === 'closed') return tokens[i + 1] === 'at' && parseTime(tokens, i + 2) ? undefined : i + 1;
  // The recogniser often drops the final d: "close on sundays" is "closed" when a day and no time follows.
  if (t === 'close' || t === 'closes') {
    let day = i + 1;
    while (day < i + 3 && (tokens[day] === 'on' || tokens[day] === 'the')) day++;
    const w = tokens[day] ?? '';
    if (isDayWord(w) && !parseTime(tokens, day + 1)) return i + 1;
  }
  // "we're shut on sundays", "sundays we're shut" (but "we shut at nine" is a closing time).
  if ((t === 'shut' || t === 'shuts') && tokens[i + 1] !== 'at' && !parseTime(tokens, i + 1)) return i + 1;
  if (t === 'not' && tokens[i + 1] === 'open') return i + 2;
  if (t === "aren't" && tokens[i + 1] === 'open') return i + 2;
  if (t === "don't" && tokens[i + 1] === 'open') return i + 2;
  return undefined;
}

const OPEN_WORDS = new Set(['open', 'opens', 'opening', 'opened']);
/** Words that start a clause after a day set: "… but fridays we shut at nine", "… but sundays it's eight to four". */
const CLAUSE_SUBJECTS = new Set(['we', "we're", "it's", 'it', "they're", 'they']);
const CLOSE_WORDS = new Set(['close', 'closes', 'closing', 'closed', 'shut', 'shuts']);
const UNTIL_WORDS = new Set(['till', 'til', 'until']);

/** After a closing word ("close", "shut", "lock up"): where its time would start, or undefined. */
function afterCloseWord(tokens: readonly string[], k: number): number | undefined {
  let j = k;
  if (CLOSE_WORDS.has(tokens[j] as string)) j++;
  else if (tokens[j] === 'lock' && tokens[j + 1] === 'up') j += 2;
  else return undefined;
  // "close at" often comes back as "close that" (the s of "closes" runs into "at").
  return tokens[j] === 'at' || tokens[j] === 'that' ? j + 1 : j;
}

function closingTimeAfter(tokens: readonly string[], from: number): { time: TimeMatch; from: number } | undefined {
  for (let k = from; k < Math.min(tokens.length, from + 8); k++) {
    const at = afterCloseWord(tokens, k);
    if (at === undefined) continue;
    const time = parseTime(tokens, at);
    if (time) return { time, from: at };
  }
  return undefined;
}

/**
 * A lone time that is one end of the day: "close at noon", "shut at nine", "lock up at ten", "open till
 * midnight" (closing), "open at seven" (opening). Looks at the words before the time at `i`.
 */
function boundBefore(tokens: readonly string[], i: number): 'opens' | 'closes' | undefined {
  for (let k = Math.max(0, i - 3); k < i; k++) if (afterCloseWord(tokens, k) === i) return 'closes';
  if (UNTIL_WORDS.has(tokens[i - 1] ?? '') && OPEN_WORDS.has(tokens[i - 2] ?? '')) return 'closes';
  if (tokens[i - 1] === 'at' && OPEN_WORDS.has(tokens[i - 2] ?? '')) return 'opens';
  return undefined;
}

function boundTime(t: TimeMatch, end: 'opens' | 'closes'): string {
  if (end === 'opens') return hhmm(to24(t, t.h === 12 ? 'pm' : 'am') % 24, t.m);
  // An unmarked "twelve" at closing is midnight, as in a range.
  const h = t.mer === undefined && t.h === 12 ? 24 : to24(t, 'pm');
  return hhmm(h, t.m);
}

const UNTIL_OR_TO = new Set(['to', 'till', 'til', 'until', 'through', 'thru']);
const ARTICLES = new Set(['the', 'a', 'an']);

/**
 * The time that ends a range at `j`. The grammar decoder writes a range's last "four" as the filler "for" ("eight to
 * for"): right after "to" or "till", and before no article, the filler can only be the number.
 */
function rangeEnd(tokens: readonly string[], j: number): TimeMatch | undefined {
  const after = tokens[j + 1] ?? '';
  if (tokens[j] !== 'for' || !UNTIL_OR_TO.has(tokens[j - 1] ?? '') || ARTICLES.has(after)) return parseTime(tokens, j);
  const t = parseTime(['four', ...tokens.slice(j + 1, j + 4)], 0);
  return t && { ...t, next: t.next + j };
}

/**
 * "five to eleven runnee through friday": a weekday range whose first day the recogniser lost, right after the
 * answer's first time range (one stray word between at most) and before any day was named, starts on monday, as
 * gyms say their week. Otherwise "through friday" is left to mean friday: after a day already named the range
 * could start anywhere ("monday five to eleven and through friday"), "closed through wednesday" is a date, and a
 * range ending on the weekend could start on any day.
 */
function lostRangeStart(tokens: readonly string[], i: number, before: readonly Entity[]): DaySet | undefined {
  const [first] = before;
  if (before.length !== 1 || first?.kind !== 'range' || i - first.next > 1) return undefined;
  if (tokens[i] !== 'through' && tokens[i] !== 'thru') return undefined;
  const end = daysAt(tokens, i + 1);
  const last = end?.days.length === 1 ? DAYS.indexOf(end.days[0] as Day) : -1;
  if (end === undefined || last < DAYS.indexOf('tue') || last > DAYS.indexOf('fri')) return undefined;
  return { days: DAYS.slice(0, last + 1), next: end.next };
}

export function entities(tokens: readonly string[]): Entity[] {
  const out: Entity[] = [];
  // Start positions of closing times already used by an "open at … close at …" range.
  const skip = new Set<number>();
  for (let i = 0; i < tokens.length;) {
    if (skip.has(i)) {
      i = parseTime(tokens, i)?.next ?? i + 1;
      continue;
    }
    const o24 = open24At(tokens, i);
    if (o24 !== undefined) {
      out.push({ kind: 'open24', at: i, next: o24 });
      i = o24;
      continue;
    }
    const cl = closedAt(tokens, i);
    if (cl !== undefined) {
      out.push({ kind: 'closed', at: i, next: cl });
      i = cl;
      continue;
    }
    if ((tokens[i] === 'except' || tokens[i] === 'but') && out.length > 0) {
      const d = daysAt(tokens, i + 1);
      const last = out[out.length - 1];
      // "every day but sunday", not "open daily but fridays we shut at nine": there the days start a clause of
      // their own, with hours of their own.
      const clause = tokens[i] === 'but' && d !== undefined && CLAUSE_SUBJECTS.has(tokens[d.next] ?? '');
      if (d && last?.kind === 'days' && !clause) {
        last.days = last.days.filter((x) => !d.days.includes(x));
        i = d.next;
        continue;
      }
    }
    const d = daysAt(tokens, i) ?? lostRangeStart(tokens, i, out);
    if (d) {
      out.push({ kind: 'days', days: d.days, at: i, next: d.next });
      i = d.next;
      continue;
    }
    const a = parseTime(tokens, i);
    if (a) {
      let j = a.next;
      let glue = 0;
      while (j < tokens.length && RANGE_GLUE.has(tokens[j] as string) && glue < 4) {
        j++;
        glue++;
      }
      const b = glue > 0 ? rangeEnd(tokens, j) : undefined;
      // A "range" that closes before it opens ("ten it six a.m.") is recogniser noise before the real one.
      if (b && validRange(resolveRange(a, b))) {
        out.push({ kind: 'range', ...resolveRange(a, b), at: i, next: b.next });
        i = b.next;
        continue;
      }
      // "we open at noon on sundays and close at six": the closing time comes after other words.
      const close =
        OPEN_WORDS.has(tokens[i - 2] ?? '') && tokens[i - 1] === 'at' ? closingTimeAfter(tokens, a.next) : undefined;
      if (close && validRange(resolveRange(a, close.time))) {
        out.push({ kind: 'range', ...resolveRange(a, close.time), at: i, next: a.next });
        skip.add(close.from);
        i = a.next;
        continue;
      }
      const end = boundBefore(tokens, i);
      if (end) {
        out.push({ kind: 'bound', end, time: boundTime(a, end), at: i, next: a.next });
        i = a.next;
        continue;
      }
    }
    i++;
  }
  return out;
}
