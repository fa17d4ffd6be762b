import { TENS, UNITS } from './vocabulary.js';

// Spoken-number handling shared by the hour and price parsers. Input text comes from two worlds: the offline
// recogniser (lower-case words, "a.m." spelt as a dictionary word) and cloud recognisers with smart formatting
// ("$49.99", "5:30 PM", "24/7"). normalize() turns both into one token stream of lower-case words and digit
// strings, so the parsers only deal with one shape.

const DAY_ABBREVIATIONS = 'mon|tue|wed|thu|fri|sat|sun';
const UNIT_VALUE = new Map<string, number>(UNITS.map((w, i) => [w, i]));
const TENS_VALUE = new Map<string, number>(TENS.flatMap((w, i) => (w ? [[w, i * 10] as [string, number]] : [])));

export function normalize(text: string): string[] {
  // Accents folded: a Spanish "membresía" is one token, "membresia" (src/facts/spanish.ts reads Spanish words).
  let s = ` ${text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')} `;
  s = s.replace(/[’`]/g, "'");
  s = s.replace(/24\s*\/\s*7|24\s*-\s*7/g, ' twenty four seven ');
  // Currency and decimals before punctuation is stripped.
  s = s.replace(/\$\s*(\d+)\.(\d\d)\b/g, ' $1 dollars $2 cents ');
  s = s.replace(/\$\s*(\d+)/g, ' $1 dollars ');
  s = s.replace(/\b(\d+)\.(\d\d)\b/g, ' $1 dollars $2 cents ');
  s = s.replace(/\b(\d{1,2}):(\d\d)\b/g, ' $1 $2 ');
  s = s.replace(/\b(\d+)\s*-\s*(\d+)\b/g, ' $1 to $2 ');
  s = s.replace(new RegExp(`\\b(${DAY_ABBREVIATIONS})\\w*\\s*-\\s*(${DAY_ABBREVIATIONS})`, 'g'), ' $1 to $2');
  s = s.replace(/\b(\d+)(am|pm|a\.m\.|p\.m\.)/g, ' $1 $2 ');
  s = s.replace(/\ba\.\s?m\.?/g, ' am ').replace(/\bp\.\s?m\.?/g, ' pm ');
  s = s.replace(/(am|pm|a\.m\.|p\.m\.)\s*-\s*(\d)/g, '$1 to $2');
  s = s.replace(/o'clock/g, ' oclock ');
  s = s.replace(/(\w)'(s|re|ll|ve|d|m|t)\b/g, '$1_$2');
  s = s.replace(/[^a-z0-9_ ]+/g, ' ');
  const raw = s.split(/\s+/).filter((t) => t.length > 0);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i] as string;
    const next = raw[i + 1];
    // The recogniser spells a.m. / p.m. as two letters when not using the dictionary word.
    if ((t === 'a' || t === 'p') && next === 'm') {
      out.push(t === 'a' ? 'am' : 'pm');
      i++;
      continue;
    }
    out.push(t.replace(/_/g, "'"));
  }
  return out;
}

export interface NumberMatch {
  value: number;
  /** Index after the last token consumed. */
  next: number;
}

function isDigits(t: string | undefined): t is string {
  return t !== undefined && /^\d+$/.test(t);
}

/** 0..99 from words ("forty nine", "twelve") or a digit token. */
export function parseSmallNumber(tokens: readonly string[], i: number): NumberMatch | undefined {
  const t = tokens[i];
  if (t === undefined) return undefined;
  if (isDigits(t)) return { value: Number(t), next: i + 1 };
  const u = UNIT_VALUE.get(t);
  if (u !== undefined) {
    // "fifteen nine" is no number in English; it is a recogniser's "fifty nine" (teens and tens sound alike).
    const u2 = UNIT_VALUE.get(tokens[i + 1] ?? '');
    if (u >= 13 && u <= 19 && u2 !== undefined && u2 > 0 && u2 < 10) return { value: (u - 10) * 10 + u2, next: i + 2 };
    return { value: u, next: i + 1 };
  }
  const ten = TENS_VALUE.get(t);
  if (ten !== undefined) {
    const u2 = UNIT_VALUE.get(tokens[i + 1] ?? '');
    if (u2 !== undefined && u2 > 0 && u2 < 10) return { value: ten + u2, next: i + 2 };
    return { value: ten, next: i + 1 };
  }
  return undefined;
}

/**
 * A cardinal up to 9999: "a hundred and twenty nine", "two hundred forty nine", "one twenty nine" (hundreds said
 * as two groups), "forty nine", "129".
 */
export function parseNumber(tokens: readonly string[], i: number): NumberMatch | undefined {
  let j = i;
  let hundreds = 0;
  const first = tokens[j];
  if ((first === 'a' || first === 'one') && tokens[j + 1] === 'hundred') {
    hundreds = 1;
    j += 2;
  } else {
    const lead = parseSmallNumber(tokens, j);
    if (!lead) return undefined;
    if (tokens[lead.next] === 'hundred' && lead.value > 0 && lead.value < 10) {
      hundreds = lead.value;
      j = lead.next + 1;
    } else if (tokens[lead.next] === 'thousand' && lead.value > 0 && lead.value < 10) {
      const rest = parseNumber(tokens, lead.next + 1);
      return rest
        ? { value: lead.value * 1000 + rest.value, next: rest.next }
        : { value: lead.value * 1000, next: lead.next + 1 };
    } else {
      // "one twenty nine": a single digit followed by a two-digit group is how prices are read aloud.
      const second =
        !isDigits(tokens[j]) && lead.value > 0 && lead.value < 10 ? parseSmallNumber(tokens, lead.next) : undefined;
      if (second && second.value >= 10 && !isDigits(tokens[lead.next])) {
        return { value: lead.value * 100 + second.value, next: second.next };
      }
      return lead;
    }
  }
  if (tokens[j] === 'and') j++;
  const rest = parseSmallNumber(tokens, j);
  if (rest && !isDigits(tokens[j])) return { value: hundreds * 100 + rest.value, next: rest.next };
  // "a hundred and" followed by nothing numeric: give back the "and".
  return { value: hundreds * 100, next: tokens[j - 1] === 'and' ? j - 1 : j };
}

/** Spoken words for 0..999, the inverse of parseNumber for whole numbers. */
export function sayNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new RangeError(`sayNumber supports 0..999, got ${n}`);
  if (n < 20) return UNITS[n] as string;
  if (n < 100) {
    const t = TENS[Math.floor(n / 10)] as string;
    return n % 10 === 0 ? t : `${t} ${UNITS[n % 10] as string}`;
  }
  const h = `${UNITS[Math.floor(n / 100)] as string} hundred`;
  return n % 100 === 0 ? h : `${h} ${sayNumber(n % 100)}`;
}
