import {
  DAYS,
  hoursKey,
  type Day,
  type DayHours,
  type GymClass,
  type MembershipPlan,
  type Period,
} from '../facts/model.js';
import { normalize, parseNumber } from '../facts/numbers.js';
import { parseHours } from '../facts/parse-hours.js';
import { CURRENCY } from '../facts/parse-prices.js';
import { hhmm, parseTime, to24 } from '../facts/parse-time.js';
import { sayGymName } from '../facts/say.js';
import { foldSpanish, spanishTokens } from '../facts/spanish.js';
import { CLASS_WORDS, DAY_GROUP_WORDS, DAY_NAMES, DAY_WORDS, PERIOD_WORDS, PLAN_WORDS } from '../facts/vocabulary.js';
import type { Language } from '../language/index.js';
import { DAY_NAMES_ES } from '../language/es.js';
import { storedAnswers } from './answers.js';
import { AMENITIES, AMENITIES_ES } from './intent.js';
import { CLASS_ES, classNameEs, planNameEs, sayAmountEs } from './lines-es.js';
import { sayAmount } from './lines.js';
import type { DeskKnowledge } from './knowledge.js';
import { digitsIn } from './receptionist.js';

// The front desk's guard: every sentence it is about to say is checked against the gym's stored facts before it
// reaches the speaker, whoever wrote it (the offline receptionist or a model). It is an allowlist: a sentence passes
// only when
// (a) it is one of the desk's own sentences, compared as words (case, punctuation and accents left out), whole or
//     sentence by sentence: answers.ts's storedAnswers (every hours, price and class answer built from the stored
//     facts, and the fixed lines of lines.ts / lines-es.ts), or one the desk built in this call (context.built: the
//     lookup's answers, unknown ones naming the caller's words, and the message read back);
// (b) or every claim in it is entailed by the stored facts AND every word of it is on the closed vocabulary.
//     "Claim" is anything that could state a fact: a day, a time, a number, an amount, a plan, a class, an amenity
//     or a policy word. Each clause (cut at commas, semicolons, colons, dashes and but/and/pero/y, never inside a
//     number) is read on its own, and each claim in it must be explained by a stored fact that it states correctly:
//     - hours the hours parser reads (parse-hours.ts) equal the stored hours of every day they name, and a range
//       without a day is every day's; a day with only "open"/"closed" agrees with its stored state; a time with a day
//       is that day's closing time after close/until, its opening time after open, one of the two otherwise; a time
//       with no day must hold for every open day ("we close at ten" is stopped when Friday closes at half past nine);
//     - a class is a stored one (the vocabulary's names and aliases; "hot yoga" is not yoga), and a day or time said
//       with it (or in a clause after it) is in its stored schedule;
//     - an amount is a stored plan's, of the plan named before it (a stored name, a plan word like "student", or a
//       period's name like "annual") and of the period said after it;
//     - a number that is none of these (a count, an address) is a claim nothing backs; a phone number is allowed
//       only when it is the caller's own (context.callerSaid), read back after taking a message;
//     - amenities and services (pool, parking, personal training) and policy words (contract, cancel, included,
//       free, trial, welcome, kids, address, street, located, fee, unlimited, ...) are never stored, so never pass;
//     - "holiday" only when one falls in the coming week (today and the six days after it);
//     A clause that says it does not know ("I don't know", "I don't have ...", "no sé si", "no tengo esa
//     información"; not "no tenemos" nor "no se preocupe") makes no claim, and may name a class, an amenity, a plan,
//     a day or the caller's own words; "I'm not sure about the pool, but we have zumba" is stopped.
//     The closed vocabulary (below, "The closed vocabulary") is function words and a receptionist's courtesy words,
//     the words the claim checks read (days, times, numbers, amounts, periods, open/closed), the words the stored
//     facts hold (the gym's name, plan and class names, schedules, currencies, holiday names) and a message's stored
//     name; so "we have a rooftop terrace", "we're open late", "tenemos terraza" are stopped (problem 'words'), and
//     so are praise of the gym ("our staff are great"), "now"/"soon" said of the hours, and a denial of a class or
//     plan ("we don't have yoga").
// Every time of day and every amount anywhere in the sentence must also be a stored one. The check is strict on
// purpose: a true sentence phrased in a way it cannot read, or in a word it does not list, is stopped (replaced by
// "I don't have that information"), never the reverse.
// A Spanish sentence is read as src/facts/spanish.ts's English token stream ("hoy abrimos de seis de la mañana a
// diez de la noche" → "monday open from 6 in the morning to 10 at night"), so the same checks hold; its "I don't
// know", amenities, policy words, class names ("yoga caliente") and courtesy words are Spanish on the folded words.

export type GuardProblem =
  | 'hours'
  | 'time'
  | 'price'
  | 'class'
  | 'amenity'
  | 'policy'
  | 'number'
  | 'holiday'
  /** Every claim it reads was backed, but a word is on none of its lists ("we have a rooftop terrace"). */
  | 'words';

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
const CLAUSE_END = /([,;]|(?<!\d):(?!\d)|\s[-–—]+\s|\s(?:but|and|pero|y)\s)/;
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

const NUMBERISH = new Set(['half', 'quarter', 'cents', 'pence', 'media', 'medio', 'cuarto', 'centavos', 'hundred']);
const isNumberish = (tokens: readonly string[] | undefined): boolean =>
  tokens !== undefined && tokens.length > 0 && (parseNumber(tokens, 0) !== undefined || NUMBERISH.has(tokens[0] ?? ''));

/**
 * A sentence's clauses as tokens, cut where CLAUSE_END cuts it except inside a number or a time ("forty nine dollars
 * and ninety nine cents", "cuarenta y nueve", "nueve y media"): a clause's day, time, class and plan go together.
 */
function clausesOf(text: string, tokensOf: (x: string) => string[]): string[][] {
  const parts = text.split(CLAUSE_END);
  const out: string[] = [parts[0] ?? ''];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const next = parts[i + 1] ?? '';
    const joiner = (parts[i] ?? '').trim();
    const inNumber =
      ['and', 'y', 'e'].includes(joiner) &&
      (isNumberish(tokensOf(out[out.length - 1] ?? '').slice(-1)) || isCurrency(tokensOf(out.at(-1) ?? '').at(-1))) &&
      isNumberish(tokensOf(next.trim().split(/\s+/)[0] ?? ''));
    if (inNumber) out[out.length - 1] += `${parts[i] ?? ''}${next}`;
    else out.push(next);
  }
  return out.map(tokensOf);
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

/** What the guard may know of the call besides the facts. */
export interface GuardContext {
  /** Everything the caller said: a phone number the desk reads back is the caller's own, not a fact of the gym. */
  readonly callerSaid?: string | undefined;
  /**
   * The sentences the desk itself built in this call, as sentenceKeys gives them: its lookups' answers (the unknown
   * ones name the caller's words) and its lines around a value the caller gave (the message read back).
   */
  readonly built?: ReadonlySet<string> | undefined;
  /** Words the desk stored in this call (the name of a message taken): it may say them back. */
  readonly stored?: ReadonlySet<string> | undefined;
}

const OK: GuardVerdict = { ok: true, problems: [] };

/** A sentence compared as words: case, punctuation and accents left out. */
const keyOf = (s: string): string => normalize(s).join(' ');

/**
 * A line's keys as the guard compares sentences: the whole line and each of its sentences, which is how the
 * speaker's sentence splitter hands them over ("Thanks. What's the best number to call you back on?").
 */
export function sentenceKeys(line: string): string[] {
  const parts = line.split(/(?<=[.!?])\s+(?=\S)/);
  return [line, ...(parts.length > 1 ? parts : [])].map(keyOf).filter((x) => x !== '');
}

const OWN = new WeakMap<DeskKnowledge, Map<string, ReadonlySet<string>>>();

/** The sentences answers.ts builds from these facts (and the fixed lines), as keys; computed once per knowledge. */
function ownSentences(k: DeskKnowledge, language: Language): ReadonlySet<string> {
  let byLanguage = OWN.get(k);
  if (byLanguage === undefined) OWN.set(k, (byLanguage = new Map()));
  let set = byLanguage.get(language);
  if (set === undefined) byLanguage.set(language, (set = new Set(storedAnswers(k, language).flatMap(sentenceKeys))));
  return set;
}

const DIGIT_RUN_EN =
  /(?:\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|triple|\d+)\b[\s,.()+-]*){3,}/g;
const DIGIT_RUN_ES = /(?:\b(?:cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|\d+)\b[\s,.()+-]*){3,}/g;

/** The sentence without the caller's own phone number read back ("call you back on two oh one, ..."). */
function withoutCallerNumber(text: string, callerSaid: string | undefined, language: Language): string {
  if (callerSaid === undefined) return text;
  const caller = digitsIn(callerSaid, language);
  if (caller.length < 7) return text;
  return text.replace(language === 'es' ? DIGIT_RUN_ES : DIGIT_RUN_EN, (run) => {
    const d = digitsIn(run, language);
    const same = d.length >= 7 && (caller.includes(d) || d.includes(caller));
    return same ? ' ; ' : run;
  });
}

/** The gym's own name (as stored and as the greeting says it) is not a claim, whatever words it holds. */
function withoutGymName(text: string, k: DeskKnowledge): string {
  let out = text;
  for (const n of [k.gymName, sayGymName(k.gymName) ?? ''].map((x) => x.trim().toLowerCase()))
    if (n.length > 2) out = out.split(n).join(' ');
  return out;
}

// Words of a claim that the stored facts never hold (policies, terms, place): any one outside a clause that says it
// does not know is an unverifiable claim. Courtesy uses are taken out first ("you're welcome", "feel free").
const POLICY_EN =
  /\b(?:contracts?|cancel\w*|any ?time|includ\w*|free|trials?|welcome|kids?|child|children|ages?|address|street|avenue|road|boulevard|located|locations?|downtown|minimum|commitments?|refunds?|guests?|unlimited|waivers?|promo\w*|deals?|fees?|sign ?up|join\w*|members only|wheelchair|accessible)\b/;
const COURTESY_EN = /\b(?:you'?re welcome|you are welcome|welcome to|welcome back|feel free|free to)\b/g;
const POLICY_ES =
  /\b(?:contratos?|cancel\w*|permanencia|inclu\w*|gratis|gratuit[oa]s?|prueba|bienvenid[oa]s?|ninos?|ninas?|menores|edad|direccion|calle|avenida|ubicad[oa]s?|ubicacion|sucursal\w*|minimo|reembolsos?|invitad[oa]s?|ilimitad[oa]s?|promocion\w*|ofertas?|cuotas?|matricula|inscri\w*)\b/;
const COURTESY_ES = /\b(?:de nada|bienvenid[oa]s? a|con gusto)\b/g;

// Days in courtesy, not claims: "how can I help you today?", "have a great weekend", "¿en qué le puedo ayudar hoy?".
const COURTESY_DAYS_EN =
  /\b(?:(?:help|assist|do for) you(?: with)? (?:today|tonight)|(?:have|enjoy) (?:a|the|your) (?:great|good|nice|lovely|wonderful) (?:day|evening|night|weekend))\b/g;
const COURTESY_DAYS_ES = /\b(?:ayudar(?:le|te)? (?:hoy|esta noche)|buen(?:a)? (?:dia|día|noche|fin de semana))\b/g;

const OPEN_WORDS = new Set(['open', 'opens', 'opening']);
const CLOSE_WORDS = new Set(['close', 'closes', 'closing', 'until', 'till', 'til']);
const PERIOD_NAMES: ReadonlyArray<readonly [string, Period]> = [
  ['monthly', 'month'],
  ['annual', 'year'],
  ['yearly', 'year'],
  ['weekly', 'week'],
  ['day pass', 'day'],
  ['drop in', 'visit'],
];
const PERIOD_PHRASES = (Object.entries(PERIOD_WORDS) as Array<[Period, readonly string[]]>)
  .flatMap(([period, list]) => list.map((w) => ({ words: w.split(' '), period })))
  .sort((a, b) => b.words.length - a.words.length);

/** Every day a clause names: weekdays (singular or plural) and "weekdays", "weekends", "daily", "every day". */
function daysIn(tokens: readonly string[]): Day[] {
  const out = new Set<Day>(daysNamed(tokens));
  tokens.forEach((w, i) => {
    for (const d of DAY_GROUP_WORDS[w] ?? []) out.add(d);
    if (w === 'every' && tokens[i + 1] === 'day') for (const d of DAYS) out.add(d);
  });
  return [...out];
}

interface Span {
  readonly at: number;
  readonly next: number;
}

/** Times of day in a clause with where they are: marked (a.m., o'clock, noon) or after at/from/until/to. */
function timeSpans(tokens: readonly string[]): Array<Span & { readonly times: string[] }> {
  const out: Array<Span & { times: string[] }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = parseTime(tokens, i);
    if (t === undefined) continue;
    if (isCurrency(tokens[t.next]) || tokens[t.next] === 'cents') continue;
    const marked = t.mer !== undefined || tokens[t.next] === 'oclock';
    const named = tokens[i] === 'noon' || tokens[i] === 'midnight';
    if (!marked && !named && !TIME_LEAD.has(tokens[i - 1] ?? '')) continue;
    const readings = t.mer === undefined ? [to24(t, 'am'), to24(t, 'pm')] : [to24(t, 'am')];
    out.push({ at: i, next: t.next, times: readings.map((h) => hhmm(h, t.m)) });
    i = t.next - 1;
  }
  return out;
}

/** Amounts with a currency word or a period after them, with where they are, in minor units when cents are said. */
function amountSpans(tokens: readonly string[]): Array<Span & { readonly major: number; readonly minor?: number }> {
  const out: Array<Span & { major: number; minor?: number }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const n = parseNumber(tokens, i);
    if (n === undefined) continue;
    let next = n.next;
    let cents: number | undefined;
    if (/^\d\d$/.test(tokens[next] ?? '') && isCurrency(tokens[next + 1])) {
      cents = Number(tokens[next]); // Spanish "quince con cincuenta dólares"
      next += 2;
    } else if (isCurrency(tokens[next])) {
      next += 1;
      const c = tokens[next] === 'and' ? parseNumber(tokens, next + 1) : undefined;
      if (c !== undefined && tokens[c.next] === 'cents') {
        cents = c.value;
        next = c.next + 1;
      } else if (c === undefined && /^\d\d$/.test(tokens[next] ?? '') && tokens[next + 1] === 'cents') {
        cents = Number(tokens[next]);
        next += 2;
      }
    } else if (!PERIOD_PHRASES.some((p) => p.words.every((w, j) => tokens[next + j] === w))) continue;
    out.push({ at: i, next, major: n.value, ...(cents === undefined ? {} : { minor: n.value * 100 + cents }) });
    i = next - 1;
  }
  return out;
}

const within = (i: number, spans: readonly Span[]): boolean => spans.some((s) => i >= s.at && i < s.next);

const CLASS_PHRASES = CLASS_WORDS.flatMap((c) =>
  [c.name, c.spoken, ...c.aliases].map((phrase) => {
    // "hot yoga" is a class of its own, not yoga; "spinning" and "kick boxing" are spin and kickboxing.
    const own = phrase.includes(' ') && phrase.includes(c.name) && phrase.replace(/ /g, '') !== c.name;
    return { words: phrase.split(' '), name: own ? phrase : c.name };
  }),
);

/** The classes a clause names, as their stored (or vocabulary) names, with where they are. */
function classesIn(tokens: readonly string[], k: DeskKnowledge): Array<Span & { readonly name: string }> {
  const stored = k.classes.map((c) => ({ words: normalize(c.name), name: c.name.toLowerCase() }));
  const phrases = [...stored, ...CLASS_PHRASES].sort((a, b) => b.words.length - a.words.length);
  const out: Array<Span & { name: string }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const hit = phrases.find((p) => p.words.length > 0 && p.words.every((w, j) => tokens[i + j] === w));
    if (hit === undefined) continue;
    out.push({ at: i, next: i + hit.words.length, name: hit.name });
    i += hit.words.length - 1;
  }
  return out;
}

/** A stored class's schedule as days and times (said in English or Spanish when it was stored). */
function scheduleOf(c: GymClass): { days: Set<Day>; times: Set<string> } {
  const days = new Set<Day>();
  const times = new Set<string>();
  for (const tokens of [normalize(c.schedule ?? ''), spanishTokens(c.schedule ?? '')]) {
    for (const d of daysIn(tokens)) days.add(d);
    for (const t of timesIn(tokens, true)) for (const x of t.split('|')) times.add(x);
  }
  return { days, times };
}

/** The stored plans a clause's words before an amount name: by a stored name, a plan word or a period's name. */
function plansNamed(tokens: readonly string[], k: DeskKnowledge, es: boolean): MembershipPlan[] | undefined {
  const said = ` ${tokens.join(' ')} `;
  const has = (phrase: string) => phrase !== '' && said.includes(` ${phrase} `);
  const byName = k.pricing.filter((p) => {
    const names = [p.plan, ...(es ? [planNameEs(p.plan).replace(/^(?:el plan|el|la) /, '')] : [])];
    return names.some((n) => has((es ? spanishTokens(n) : normalize(n)).join(' ')));
  });
  if (byName.length > 0) return byName;
  const words = [...PLAN_WORDS.filter(has), ...PERIOD_NAMES.filter(([w]) => has(w)).map(([w]) => w)];
  if (words.length === 0) return undefined;
  return k.pricing.filter((p) =>
    words.every((w) => {
      const period = PERIOD_NAMES.find(([x]) => x === w)?.[1];
      return period !== undefined ? p.period === period : p.plan.toLowerCase().includes(w);
    }),
  );
}

/** The periods said right after an amount ("a month", "al mes"). */
function periodAfter(tokens: readonly string[], i: number): Period | undefined {
  const j = tokens[i] === 'for' || tokens[i] === 'every' ? i + 1 : i;
  return PERIOD_PHRASES.find((p) => p.words.every((w, n) => tokens[j + n] === w))?.period;
}

const sameTime = (a: string, b: string): boolean =>
  a === b || (a === '00:00' && b === '24:00') || (a === '24:00' && b === '00:00');

/**
 * One clause's claims against the facts: everything in it that could be a fact (a day, a time, a number, an amount,
 * a plan, a class) must be explained by a stored fact that it states correctly, or the clause is stopped.
 */
function checkClause(
  c: readonly string[],
  k: DeskKnowledge,
  es: boolean,
  carried: readonly string[],
  problems: Set<GuardProblem>,
): string[] {
  const explained: Span[] = [];
  // A clause the hours parser reads whole, every day of it as stored: its days, times and numbers are explained.
  const parsed = parseHours(c).hours;
  const parsedDays = Object.keys(parsed) as Day[];
  const hoursOk =
    parsedDays.length > 0 &&
    parsedDays.every((d) => k.hours[d] !== undefined && hoursKey(k.hours[d]) === hoursKey(parsed[d] as DayHours));
  if (parsedDays.length > 0 && !hoursOk) problems.add('hours');
  const days = daysIn(c);
  const times = timeSpans(c);
  const amounts = amountSpans(c);
  explained.push(...amounts);

  // Classes: each one stored; a day or time said with one must be in its schedule.
  const named = classesIn(c, k);
  const storedNames = new Set(k.classes.map((x) => x.name.toLowerCase()));
  for (const n of named) if (!storedNames.has(n.name)) problems.add('class');
  const withClass = named.length > 0 ? named.map((n) => n.name) : [...carried];
  const hoursVerb = c.some((w) => OPEN_WORDS.has(w) || CLOSE_WORDS.has(w) || w === 'closed');
  if (withClass.length > 0 && !hoursVerb && (days.length > 0 || times.length > 0)) {
    const schedules = k.classes.filter((x) => withClass.includes(x.name.toLowerCase())).map(scheduleOf);
    for (const d of days) if (!schedules.some((s) => s.days.has(d))) problems.add('class');
    for (const t of times) if (!schedules.some((s) => t.times.some((x) => s.times.has(x)))) problems.add('class');
    explained.push(...times);
  } else if (!hoursOk && (days.length > 0 || times.length > 0 || hoursVerb)) {
    // Hours said in part: "on friday we close at ten p.m.", "we're open on sunday", "we open at eight".
    const closedSaid = c.includes('closed') || (c.includes('not') && c.some((w) => OPEN_WORDS.has(w)));
    const closeVerb = c.some((w) => CLOSE_WORDS.has(w));
    const openVerb = c.some((w) => OPEN_WORDS.has(w)) && !c.includes('not');
    const open = DAYS.filter((d) => k.hours[d] !== undefined && !('closed' in (k.hours[d] as DayHours)));
    const about = days.length > 0 ? days : open;
    if (about.length === 0) problems.add('hours');
    for (const d of about) {
      const h = k.hours[d];
      if (h === undefined) problems.add('hours');
      else if (closedSaid) {
        if (!('closed' in h)) problems.add('hours');
      } else if ('closed' in h) {
        if (openVerb || times.length > 0 || closeVerb) problems.add('hours');
      } else if (times.length > 0) {
        if (!('opens' in h)) problems.add('hours');
        else
          for (const t of times) {
            const ends = closeVerb && !openVerb ? [h.closes] : openVerb && !closeVerb ? [h.opens] : [h.opens, h.closes];
            if (!t.times.some((x) => ends.some((e) => sameTime(x, e)))) problems.add('hours');
          }
      } else if (!openVerb) problems.add('hours'); // a day with nothing said of it that can be checked
    }
    explained.push(...times);
  }
  if (hoursOk) explained.push({ at: 0, next: c.length });

  // Prices: each amount a stored plan's, of the plan named before it and the period said after it.
  let from = 0;
  for (const [n, a] of amounts.entries()) {
    // The plan is named before its amount ("the day pass is fifteen") or after it ("fifteen for a day pass").
    const after = c.slice(a.next, amounts[n + 1]?.at ?? c.length);
    const plans = plansNamed(c.slice(from, a.at), k, es) ?? plansNamed(after, k, es) ?? k.pricing;
    const period = periodAfter(c, a.next);
    const fits = plans.filter(
      (p) =>
        (a.minor === undefined ? Math.floor(p.amountMinor / 100) === a.major : p.amountMinor === a.minor) &&
        (period === undefined || p.period === period),
    );
    if (fits.length === 0) problems.add('price');
    from = a.next;
  }
  // A plan named with no amount ("we have a student plan") must be a stored one.
  const rest = c.slice(from);
  if (amounts.length === 0 || rest.length > 0) {
    const plans = plansNamed(amounts.length === 0 ? c : rest, k, es);
    if (plans !== undefined && plans.length === 0) problems.add('price');
  }

  // Any other number (a count, an address, a phone number that is not the caller's) is a claim nothing backs.
  for (let i = 0; i < c.length; i++) {
    if (within(i, explained)) continue;
    const n = parseNumber(c, i);
    if (n === undefined) continue;
    if (c[i] === 'one' && n.next === i + 1) continue; // "one moment", "one of the staff"
    problems.add('number');
    i = n.next - 1;
  }
  return withClass;
}

// The closed vocabulary (issue 19: "it never invents a fact"). A sentence that is not one of the desk's own must,
// besides passing the claim checks above, be made only of words on these lists: words that cannot state a fact of
// the gym on their own (function words, pronouns, auxiliaries, what a receptionist says to help, to take a message
// or to put a caller through), the words the claim checks read and verify (days, times, numbers, amounts, periods,
// open/closed, plans and classes as kinds), and the words the stored facts themselves hold (the gym's name, its
// plans' and classes' names and schedules, its currencies, the coming holidays' names). A clause that says it does
// not know may also name what it does not know: the caller's own words, or an amenity, class or plan word. Anything
// else ("rooftop", "terrace", "late", "easy", "certified", "terraza") is a claim the guard cannot verify, so the
// sentence is stopped: when in doubt, block.
const COURTESY_WORDS_EN = wordSet(`
  a an the and or but if so to of for in on at by with about from as into than then that this these those it its
  it's is are was were be been being am i i'm i'll i've i'd me my you you're you'll you've you'd your yours
  yourself we we're we'll we've we'd our us they they're they'll their them someone somebody anyone anybody
  anything something nothing nobody what what's which who when where why how whether there there's here that's
  let let's do does did doing done don't doesn't didn't can can't cannot could couldn't will won't would wouldn't
  should may might must have has had haven't hasn't isn't aren't wasn't not no yes yeah yep please just now right
  also too else more any some up out back again well very really still okay ok sure of course certainly absolutely
  great good perfect wonderful lovely nice fine happy glad excellent sorry apologies apologize afraid unfortunately
  thank thanks hello hi hey goodbye bye care moment second hold holding wait waiting help helping assist assistance
  question questions message messages note take taking took leave leaving pass passed passing along transfer
  transferring connect connecting put putting through staff person manager desk front reception receptionist
  automated call calls calling called number name reason phone line check checking look looking find know
  information info details answer tell say give get gets got able understand understood catch hear repeat speak
  speaking talk reach like want need ask asking wondering hope enjoy soon shortly list regarding exactly correct
  alright sounds thing problem while
`);
const COURTESY_WORDS_ES = wordSet(`
  que en por para se le les me te nos su sus nuestro nuestra nuestros nuestras mi mis esa ese eso esta este esto
  usted ustedes yo algo mas nada alguien alguna alguno algun otra otro ayudar ayudarle ayuda ayudo puedo puede
  pueda podemos podria quiere quisiera gustaria gracias muchas gusto favor momento segundo espere permitame
  permita dejeme deje revisar reviso verificar verifico consultar consulto mensaje recado tomar tomo tomarle tome
  dejar personal persona encargado encargada gerente recepcion automatica comunicar comunico comunicarle paso
  pasar pasarle transferir transfiero llamar llamada llamarle llamando devolver devolveran numero nombre
  informacion datos saber sabe siento disculpe disculpa perdon lamento supuesto luego bueno buenas buenos buen
  buena dias tardes noches hola hay estoy estamos soy tengo tiene hacer decir digo preguntar pregunta preguntas
  entiendo entendi oigo repetir necesita necesito desea ahora ya aqui ahi sigue pronto vez nuevo tambien muy bien
  perfecto excelente genial encantado encantada cual cuando como donde quien cuanto sobre acerca no ni porque
  lista asi cierto seguro segura atender atenderle servirle tenga hablar habla
`);
// What the claim checks read and verify: hours, days, times, amounts, periods, and plans and classes as kinds.
const FACT_FRAME = wordSet(`
  open opens opening close closes closing closed until till til between except hours hour am pm noon midnight
  oclock morning afternoon evening night half past quarter every each daily weekday weekdays weekend weekends week
  day days month months year years per monthly annual annually yearly weekly visit drop membership memberships
  plan plans pass passes price prices cost costs cents cent pence centavos holiday holidays class classes offer
  offers horario horarios precios planes semana dia
  ${Object.keys(CURRENCY).join(' ')} ${Object.values(DAY_WORDS).flat().join(' ')}
`);
// Phrases whose words would otherwise be claims: "you're welcome", "welcome to Iron Temple", "de nada".
const COURTESY_PHRASES_EN = /\b(?:you'?re welcome|you are welcome|welcome to|welcome back|feel free)\b/g;
const COURTESY_PHRASES_ES = /\b(?:de nada|bienvenid[oa]s? a)\b/g;
// Praise is courtesy only where courtesy puts it ("Great!", "have a great day", "I'd be happy to", "sounds good"),
// never said of the gym ("our staff are great", "the classes are nice").
const PRAISE = wordSet(
  'great good perfect wonderful lovely nice fine happy glad excellent genial perfecto excelente buen buena buenos buenas',
);
const PRAISE_AFTER = wordSet("a that's sounds i'm tenga");
/** Praise where courtesy puts it: first in its clause, after "a", "that's", "sounds", "I'm", "I'd be", "we're happy". */
function courtesyPraise(c: readonly string[], j: number): boolean {
  const [before, w] = [c[j - 1] ?? '', c[j] ?? ''];
  if (j === 0 || PRAISE_AFTER.has(before)) return true;
  if (before === 'be') return ["i'd", "i'll", "we'd", "we'll"].includes(c[j - 2] ?? '');
  return ["we're", "we'd", "we'll"].includes(before) && (w === 'happy' || w === 'glad');
}
// "We're open now", "we're opening soon": when the desk is open is the claim checks' business, and they know days,
// not the time of day now. Such a word in a clause of hours is stopped.
const WHEN = wordSet('now soon shortly still again right ahora pronto todavia');
const HOURS_WORDS = wordSet('open opens opening close closes closing closed until till');
// "We don't have yoga", "we don't sell day passes": a denial of a stored class or plan the claim checks would read
// as naming it. A negation beside a class or plan outside a clause that says it does not know is stopped, unless it
// speaks of the desk's list ("it isn't on the class list I have").
const NEGATION = wordSet("not no never don't doesn't isn't aren't won't can't cannot nunca");

function wordSet(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ''));
}

/** Whether a token is a number the claim checks read (a digit run, "forty", "nine", "hundred"). */
const isNumberWord = (w: string): boolean => /^\d+$/.test(w) || NUMBERISH.has(w) || parseNumber([w], 0) !== undefined;

interface Vocabulary {
  /** Every word a sentence of this desk may hold outside a clause that says it does not know. */
  readonly words: ReadonlySet<string>;
  /** The words that name a class or a plan (stored or as kinds): a negation beside one is a denial. */
  readonly offers: ReadonlySet<string>;
}

const VOCABULARY = new WeakMap<DeskKnowledge, Map<Language, Vocabulary>>();

/** This gym's vocabulary in this language: the lists above and the words its stored facts hold, read as sentences are. */
function vocabularyOf(k: DeskKnowledge, language: Language): Vocabulary {
  let byLanguage = VOCABULARY.get(k);
  if (byLanguage === undefined) VOCABULARY.set(k, (byLanguage = new Map()));
  let v = byLanguage.get(language);
  if (v === undefined) {
    const es = language === 'es';
    const read = (x: string): string[] => (es ? spanishTokens(x) : normalize(x));
    const plans = k.pricing.flatMap((p) => [p.plan, ...(es ? [planNameEs(p.plan)] : [])]);
    const classes = k.classes.flatMap((c) => {
      const vocab = CLASS_WORDS.find((w) => w.name === c.name.toLowerCase());
      return [
        c.name,
        ...(vocab === undefined ? [] : [vocab.spoken, ...vocab.aliases]),
        ...(es ? [classNameEs(c.name)] : []),
      ];
    });
    const stored = [
      k.gymName,
      sayGymName(k.gymName) ?? '',
      ...plans,
      ...classes,
      ...k.classes.map((c) => c.schedule ?? ''),
      ...k.pricing.map((p) => (es ? sayAmountEs(p.amountMinor, p.currency) : sayAmount(p.amountMinor, p.currency))),
      ...k.holidays.map((h) => h.name[language]),
    ].flatMap(read);
    const words = new Set([...COURTESY_WORDS_EN, ...(es ? COURTESY_WORDS_ES : []), ...FACT_FRAME, ...stored]);
    const offers = new Set([...plans, ...classes].flatMap(read));
    for (const w of ['class', 'classes', 'membership', 'memberships', 'plan', 'plans', 'pass', 'passes']) offers.add(w);
    v = { words, offers };
    byLanguage.set(language, v);
  }
  return v;
}

/** What a clause that says it does not know may name besides the vocabulary: amenities, classes, plans. */
const TOPIC_WORDS: Readonly<Record<Language, ReadonlySet<string>>> = {
  en: new Set([...AMENITIES, ...CLASS_WORDS.flatMap((c) => [c.name, ...c.aliases]), ...PLAN_WORDS].flatMap(normalize)),
  es: new Set(
    [...AMENITIES_ES, ...Object.values(CLASS_ES), ...CLASS_WORDS.map((c) => c.name), ...PLAN_WORDS].flatMap(
      spanishTokens,
    ),
  ),
};

/**
 * Whether the sentence says something in words outside the closed vocabulary (see above), praises the gym, says
 * "now" of its hours or denies a class or plan: `text` as the claim checks read it (lower case, weekdays named, the
 * gym's name and the caller's number taken out). `allowed`: words the desk stored in this call (a message's name).
 */
function unlisted(
  text: string,
  k: DeskKnowledge,
  language: Language,
  callerWords: ReadonlySet<string>,
  allowed: ReadonlySet<string>,
): boolean {
  const es = language === 'es';
  const tokensOf = (x: string): string[] => (es ? spanishTokens(x) : normalize(x));
  const v = vocabularyOf(k, language);
  const parts = text.replace(es ? COURTESY_PHRASES_ES : COURTESY_PHRASES_EN, ' ').split(CLAUSE_END);
  return parts.some((part, i) => {
    if (i % 2 === 1) return false; // the cut itself: punctuation, but/and/pero/y
    const unknown = (es ? UNKNOWN_ES : UNKNOWN).test(part);
    const c = tokensOf(part);
    const listed = (w: string): boolean =>
      v.words.has(w) ||
      isNumberWord(w) ||
      allowed.has(w) ||
      (unknown && (callerWords.has(w) || TOPIC_WORDS[language].has(w)));
    if (!c.every(listed)) return true;
    if (c.some((w, j) => PRAISE.has(w) && !courtesyPraise(c, j))) return true;
    if (c.some((w) => WHEN.has(w)) && c.some((w) => HOURS_WORDS.has(w))) return true;
    const ofTheList = c.includes('list') || c.includes('lista');
    return !unknown && !ofTheList && c.some((w) => NEGATION.has(w)) && c.some((w) => v.offers.has(w));
  });
}

/**
 * Whether a sentence the desk is about to say may be spoken: it is one of the desk's own sentences built from the
 * stored facts, or every claim in it is one the stored facts entail, or it makes no claim. See the file's comment.
 */
export function checkSentence(
  sentence: string,
  k: DeskKnowledge,
  language?: Language,
  context: GuardContext = {},
): GuardVerdict {
  const lang = language ?? 'en';
  const es = lang === 'es';
  if (ownSentences(k, lang).has(keyOf(sentence)) || context.built?.has(keyOf(sentence)) === true) return OK;
  const lower = sentence
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(es ? COURTESY_DAYS_ES : COURTESY_DAYS_EN, ' ');
  const bare = withoutGymName(withoutCallerNumber(lower, context.callerSaid, lang), k).replace(
    /\b(?:through|thru)\b/g,
    'to',
  );
  const text = es ? withWeekdaysEs(bare, k) : withWeekdays(bare, k);
  const tokensOf = (x: string): string[] => (es ? spanishTokens(x) : normalize(x));
  const tokens = tokensOf(text);
  const problems = new Set<GuardProblem>();

  // Anywhere in the sentence, even where it says it does not know: every time and amount is a stored one.
  const allowed = allowedTimes(k);
  for (const t of timesIn(tokens)) if (!t.split('|').some((x) => allowed.has(x))) problems.add('time');
  const amounts = new Set(k.pricing.map((p) => Math.floor(p.amountMinor / 100)));
  for (const a of amountsIn(tokens)) if (!amounts.has(a)) problems.add('price');

  // Outside the clauses that say they do not know: every claim entailed by the facts.
  const claims = claimsOf(text, es ? UNKNOWN_ES : UNKNOWN);
  const said = tokensOf(claims);
  const claimed = parseHours(said).hours;
  for (const [day, h] of Object.entries(claimed) as [Day, DayHours][]) {
    const stored = k.hours[day];
    if (stored === undefined || hoursKey(stored) !== hoursKey(h)) problems.add('hours');
  }
  let carried: string[] = [];
  for (const clause of clausesOf(claims, tokensOf)) carried = checkClause(clause, k, es, carried, problems);

  const words = withoutStoredNames(es ? normalize(claims) : said, k, es);
  if ((es ? AMENITIES_ES : AMENITIES).some((a) => words.includes(` ${a} `))) problems.add('amenity');
  // Spanish names of classes not stored ("yoga caliente" is hot yoga, not yoga).
  if (es)
    for (const [name, spanish] of Object.entries(CLASS_ES))
      if (!k.classes.some((c) => c.name.toLowerCase() === name) && words.includes(` ${normalize(spanish).join(' ')} `))
        problems.add('class');
  const policy = es ? POLICY_ES : POLICY_EN;
  if (policy.test(words.replace(es ? COURTESY_ES : COURTESY_EN, ' '))) problems.add('policy');
  if (tokens.includes('holiday') || tokens.includes('holidays') || (es && HOLIDAY_ES.test(text))) {
    if (!k.week.some((d) => d.holiday !== undefined)) problems.add('holiday');
  }
  // Claims it can read all backed: every word must still be on the closed vocabulary (or the caller's, where it
  // says it does not know).
  if (problems.size === 0) {
    const callerWords = new Set(context.callerSaid === undefined ? [] : tokensOf(context.callerSaid));
    if (unlisted(text, k, lang, callerWords, context.stored ?? new Set())) problems.add('words');
  }
  return problems.size === 0 ? OK : { ok: false, problems: [...problems] };
}
