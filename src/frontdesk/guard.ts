import { DAYS, hoursKey, type Day, type DayHours } from '../facts/model.js';
import { normalize, parseNumber } from '../facts/numbers.js';
import { parseClasses } from '../facts/parse-classes.js';
import { parseHours } from '../facts/parse-hours.js';
import { CURRENCY, parsePrices } from '../facts/parse-prices.js';
import { hhmm, parseTime, to24 } from '../facts/parse-time.js';
import { foldSpanish, spanishTokens } from '../facts/spanish.js';
import { DAY_NAMES, DAY_WORDS } from '../facts/vocabulary.js';
import type { Language } from '../language/index.js';
import { DAY_NAMES_ES } from '../language/es.js';
import { AMENITIES, AMENITIES_ES } from './intent.js';
import { classNameEs, planNameEs } from './lines-es.js';
import type { DeskKnowledge } from './knowledge.js';

// The front desk's guard: every sentence it is about to say is checked against the gym's stored facts before it
// reaches the speaker, whoever wrote it (the offline receptionist or a model). A sentence passes only when each
// claim in it is a stored fact:
// - days' hours (parse-hours.ts over the sentence, "today", "tomorrow" and "the day after tomorrow" read as the
//   gym's weekdays) equal the stored hours of those days; "we're open on sunday" / "closed on monday" without times agree with them;
// - every time of day said (with a.m./p.m., noon, midnight, or after at/from/until) is one of the stored opening
//   or closing times or a time in a stored class schedule;
// - every price (an amount with a currency or a period) is a stored plan's amount, and its period the plan's;
// - every class named is a stored class;
// - every amenity or service (pool, sauna, parking, personal training, discount, ...) is unknown by definition (the
//   facts never list them), so it may only be named in a clause that says it is not known, or as part of a stored
//   plan's or class's name ("the student discount membership"); saying there is none is a claim too;
// - "holiday" only when today or tomorrow is one.
// A clause that says it does not know ("I don't know", "I don't have ...") may name classes, amenities and days,
// but still no time or price that is not stored; the sentence's other clauses (split at commas, semicolons, colons,
// dashes, but/and/pero/y) are checked: "I'm not sure about the pool, but we have zumba" is stopped. The check is a parser's, deliberately strict: a true sentence
// phrased in a way it cannot read may be blocked (replaced by "I don't have that information"), never the reverse.
// A Spanish sentence is read as src/facts/spanish.ts's English token stream ("hoy abrimos de seis de la mañana a
// diez de la noche" → "monday open from 6 in the morning to 10 at night"), so the same checks hold; its "I don't
// know" (only real ones: "no sé si", "no tengo esa información", never "no tenemos" or "no se preocupe") and
// amenities are Spanish phrases on the folded words ("piscina").

export type GuardProblem = 'hours' | 'time' | 'price' | 'class' | 'amenity' | 'holiday';

export interface GuardVerdict {
  readonly ok: boolean;
  /** Which kinds of claim were not backed by a stored fact (never the sentence's words: it may be logged). */
  readonly problems: GuardProblem[];
}

const UNKNOWN =
  /\bi (?:don't|do not|dont) (?:know|have)\b|\bi'm not sure\b|\bi am not sure\b|\bi (?:can't|cannot) (?:say|tell|confirm)\b|\bno information\b/;
// Spanish on folded words, where "no sé" and the reflexive "no se" are one spelling: only "I don't know" phrasings
// ("no sé si", "no lo sé", "no sé qué ..."), "I don't have that information / our hours / the price", never a
// denial ("no tenemos piscina" is a claim) or "no se preocupe".
const UNKNOWN_ES = new RegExp(
  [
    '\\bno (?:lo )?se(?: (?:si|que|cual|cuales|cuando|cuanto|cuanta|cuantos|cuantas|como|donde|nuestro|nuestros|nuestra|nuestras|exactamente)\\b|\\s*(?:[,.;!?]|$))',
    '\\bno lo se\\b',
    '\\bno (?:tengo|dispongo de|cuento con) (?:(?:esa|esta|la|el|los|las|ese|nuestro|nuestros|nuestra|nuestras|ninguna|mas) )?(?:informacion|datos?|horarios?|precios?|lista)\\b',
    '\\bno sabria\\b',
    '\\bdesconozco\\b',
    '\\bno estoy segur[oa]\\b',
    '\\bno (?:le |te )?puedo (?:decir|confirmar)',
    '\\bsin informacion\\b',
    '\\bno hay informacion\\b',
  ].join('|'),
);
// Where a clause ends: the part of a sentence that says it does not know ends there, and what follows is checked.
const CLAUSE_END = /([,;:]|\s[-–—]+\s|\s(?:but|and|pero|y)\s)/;
const HOLIDAY_ES = /\b(?:feriado|feriados|festivo|festivos)\b/;
const TIME_LEAD = new Set(['at', 'from', 'until', 'till', 'til', 'by', 'after', 'before', 'opens', 'closes', 'to']);
const isCurrency = (w: string | undefined): boolean => w !== undefined && CURRENCY[w] !== undefined;

/** The weekday after the gym's tomorrow: "the day after tomorrow" is that weekday's stored hours (no holiday known). */
const dayAfterTomorrow = (k: DeskKnowledge): Day => DAYS[(DAYS.indexOf(k.tomorrow.day) + 1) % DAYS.length] ?? 'mon';

/** The sentence with "today"/"tomorrow"/"tonight"/"the day after tomorrow" as the gym's weekday names, lower case. */
function withWeekdays(sentence: string, k: DeskKnowledge): string {
  return sentence
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/\b(today|tonight)\b/g, DAY_NAMES[k.today.day])
    .replace(/\b(?:the )?day after tomorrow\b/g, DAY_NAMES[dayAfterTomorrow(k)])
    .replace(/\btomorrow\b/g, DAY_NAMES[k.tomorrow.day]);
}

/** Spanish: folded, "hoy", "pasado mañana" and "mañana" (not "de la mañana", the morning) as weekday names. */
function withWeekdaysEs(sentence: string, k: DeskKnowledge): string {
  const day = (d: keyof typeof DAY_NAMES_ES) => foldSpanish(DAY_NAMES_ES[d]);
  return foldSpanish(sentence)
    .replace(/\b(hoy|esta noche)\b/g, day(k.today.day))
    .replace(/\bpasado manana\b/g, day(dayAfterTomorrow(k)))
    .replace(/(?<!\b(?:la|las|esta) )\bmanana\b/g, day(k.tomorrow.day));
}

/**
 * The sentence without its clauses that say they do not know: those may name a class, an amenity or a day; every
 * other clause's claims are checked ("I'm not sure about the pool, but we have zumba": zumba is checked).
 */
function claimsOf(text: string, unknown: RegExp): string {
  return text
    .split(CLAUSE_END)
    .map((part, i) => (i % 2 === 0 && unknown.test(part) ? ' ; ' : part))
    .join('');
}

/** Words with the stored plan and class names taken out: "the student discount membership" names no amenity. */
function withoutStoredNames(words: readonly string[], k: DeskKnowledge, es: boolean): string {
  const names = [...k.pricing.map((p) => p.plan), ...k.classes.map((c) => c.name)];
  const said = es ? names.flatMap((n) => [n, planNameEs(n).replace(/^el plan /, ''), classNameEs(n)]) : names;
  let joined = ` ${words.join(' ')} `;
  for (const n of said.map((x) => normalize(es ? foldSpanish(x) : x).join(' ')).sort((a, b) => b.length - a.length))
    if (n !== '') joined = joined.replaceAll(` ${n} `, ' | ');
  return joined;
}

function allowedTimes(k: DeskKnowledge): Set<string> {
  const out = new Set<string>();
  for (const h of Object.values(k.hours))
    if (h !== undefined && 'opens' in h) {
      out.add(h.opens);
      out.add(h.closes);
      if (h.closes === '24:00') out.add('00:00');
    }
  // A schedule is stored as it was said, in English or Spanish: both readings are allowed.
  for (const c of k.classes)
    for (const tokens of [normalize(c.schedule ?? ''), spanishTokens(c.schedule ?? '')])
      for (const t of timesIn(tokens, true)) out.add(t);
  return out;
}

/** Times of day said in the tokens, as HH:MM; one without a.m./p.m. is given both readings. */
function timesIn(tokens: readonly string[], all = false): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = parseTime(tokens, i);
    if (t === undefined) continue;
    // "15 dollars", "ninety nine cents": an amount, not a time (the prices check reads it).
    if (isCurrency(tokens[t.next]) || tokens[t.next] === 'cents') continue;
    const marked = t.mer !== undefined || tokens[i + 1] === 'oclock';
    if (!all && !marked && !TIME_LEAD.has(tokens[i - 1] ?? '')) continue;
    const readings = t.mer === undefined ? [to24(t, 'am'), to24(t, 'pm')] : [to24(t, 'am')];
    out.push(readings.map((h) => hhmm(h, t.m)).join('|'));
    i = t.next - 1;
  }
  return out;
}

/** Whole amounts said with a currency word ("forty nine dollars"), in major units. */
function amountsIn(tokens: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const n = parseNumber(tokens, i);
    if (n === undefined) continue;
    // "15 50 dollars": Spanish's "quince con cincuenta dólares" (spanish.ts), the second number the cents.
    const cents = /^\d\d$/.test(tokens[n.next] ?? '') && isCurrency(tokens[n.next + 1]);
    if (isCurrency(tokens[n.next]) || cents) out.push(n.value);
    i = (cents ? n.next + 1 : n.next) - 1;
  }
  return out;
}

function daysNamed(tokens: readonly string[]): Day[] {
  return DAYS.filter((d) => DAY_WORDS[d].some((w) => w.length > 3 && tokens.includes(w)));
}

export function checkSentence(sentence: string, k: DeskKnowledge, language?: Language): GuardVerdict {
  const es = language === 'es';
  const text = es ? withWeekdaysEs(sentence, k) : withWeekdays(sentence, k);
  const tokensOf = (x: string): string[] => (es ? spanishTokens(x) : normalize(x));
  const tokens = tokensOf(text);
  const problems = new Set<GuardProblem>();

  const allowed = allowedTimes(k);
  for (const t of timesIn(tokens)) if (!t.split('|').some((x) => allowed.has(x))) problems.add('time');

  const amounts = new Set(k.pricing.map((p) => Math.floor(p.amountMinor / 100)));
  for (const a of amountsIn(tokens)) if (!amounts.has(a)) problems.add('price');
  for (const p of parsePrices(tokens).pricing)
    if (!k.pricing.some((s) => s.amountMinor === p.amountMinor && s.period === p.period)) problems.add('price');

  // Hours, classes and amenities: only outside the clauses that say they do not know.
  const claims = claimsOf(text, es ? UNKNOWN_ES : UNKNOWN);
  const said = tokensOf(claims);
  const claimed = parseHours(said).hours;
  for (const [day, h] of Object.entries(claimed) as [Day, DayHours][]) {
    const stored = k.hours[day];
    if (stored === undefined || hoursKey(stored) !== hoursKey(h)) problems.add('hours');
  }
  // "We're open on sunday" / "we're closed today" without times: the day's stored state must agree.
  const open = said.includes('open') && !said.includes('not');
  const closed = said.includes('closed') || (said.includes('not') && said.includes('open'));
  for (const day of daysNamed(said)) {
    if (claimed[day] !== undefined) continue;
    const stored = k.hours[day];
    if (closed && (stored === undefined || !('closed' in stored))) problems.add('hours');
    else if (open && (stored === undefined || 'closed' in stored)) problems.add('hours');
  }
  const classes = new Set(k.classes.map((c) => c.name.toLowerCase()));
  for (const c of parseClasses(said)) if (!classes.has(c.name.toLowerCase())) problems.add('class');
  const words = withoutStoredNames(es ? normalize(claims) : said, k, es);
  if ((es ? AMENITIES_ES : AMENITIES).some((a) => words.includes(` ${a} `))) problems.add('amenity');
  if (tokens.includes('holiday') || tokens.includes('holidays') || (es && HOLIDAY_ES.test(text))) {
    if (k.today.holiday === undefined && k.tomorrow.holiday === undefined) problems.add('holiday');
  }
  return { ok: problems.size === 0, problems: [...problems] };
}
