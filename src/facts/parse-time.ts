import { parseSmallNumber } from './numbers.js';

// Times of day as people say them on the phone ("half past five", "six in the morning", "twelve noon", "17 30"), and
// a range's two ends resolved the way gyms keep hours (an unmarked opening is morning, an unmarked closing evening).
// parse-hours.ts pairs them with days.

export interface TimeMatch {
  h: number;
  m: number;
  /** 'am' | 'pm' | 'fixed' (noon, midnight, 24-hour digits) | undefined when the speaker gave no marker. */
  mer: 'am' | 'pm' | 'fixed' | undefined;
  next: number;
}

const MORNING = ['morning'];
const EVENING = ['evening', 'afternoon', 'night', 'tonight'];

function meridiem(tokens: readonly string[], i: number): { mer: 'am' | 'pm'; next: number } | undefined {
  const t = tokens[i];
  if (t === 'am') return { mer: 'am', next: i + 1 };
  if (t === 'pm') return { mer: 'pm', next: i + 1 };
  // "in the morning", "in the evening", "at night"
  const [a, b, c] = [t, tokens[i + 1], tokens[i + 2]];
  if (a === 'in' && b === 'the' && c !== undefined) {
    if (MORNING.includes(c)) return { mer: 'am', next: i + 3 };
    if (EVENING.includes(c)) return { mer: 'pm', next: i + 3 };
  }
  if (a === 'at' && b === 'night') return { mer: 'pm', next: i + 2 };
  return undefined;
}

export function parseTime(tokens: readonly string[], i: number): TimeMatch | undefined {
  const t = tokens[i];
  if (t === 'noon' || t === 'midday') return { h: 12, m: 0, mer: 'fixed', next: i + 1 };
  if (t === 'midnight') return { h: 24, m: 0, mer: 'fixed', next: i + 1 };
  // "half past five", "quarter past six", "quarter to ten"
  if ((t === 'half' || t === 'quarter') && (tokens[i + 1] === 'past' || tokens[i + 1] === 'after')) {
    const base = parseTime(tokens, i + 2);
    if (base && base.m === 0) return { ...base, m: t === 'half' ? 30 : 15 };
    return undefined;
  }
  if (t === 'quarter' && (tokens[i + 1] === 'to' || tokens[i + 1] === 'till')) {
    const base = parseTime(tokens, i + 2);
    if (base && base.m === 0) return { ...base, h: base.h === 1 ? 12 : base.h - 1, m: 45 };
    return undefined;
  }
  // "half six" is half past six in British and Irish speech (never half an hour before it).
  if (t === 'half') {
    const base = parseTime(tokens, i + 1);
    if (base && base.m === 0 && base.mer !== 'fixed') return { ...base, m: 30 };
    return undefined;
  }
  const hour = parseSmallNumber(tokens, i);
  if (!hour) return undefined;
  const digits = /^\d+$/.test(tokens[i] ?? '');
  // Words for hours stop at twelve; "twenty three hundred" style military time is out of scope.
  if (hour.value < 1 || hour.value > (digits ? 24 : 12)) return undefined;
  let j = hour.next;
  let m = 0;
  // "twelve noon", "twelve midnight"
  if (hour.value === 12 && (tokens[j] === 'noon' || tokens[j] === 'midnight'))
    return { h: tokens[j] === 'noon' ? 12 : 24, m: 0, mer: 'fixed', next: j + 1 };
  if (tokens[j] === 'oclock') j++;
  else if (tokens[j] === 'oh' || tokens[j] === 'o') {
    const mm = parseSmallNumber(tokens, j + 1);
    if (mm && mm.value < 10) {
      m = mm.value;
      j = mm.next;
    }
  } else {
    const mm = parseSmallNumber(tokens, j);
    if (mm && mm.value >= 10 && mm.value < 60 && !(mm.value === 24 && tokens[mm.next] === 'hours')) {
      m = mm.value;
      j = mm.next;
    } else if (mm && /^\d\d$/.test(tokens[j] ?? '') && mm.value < 60) {
      m = mm.value;
      j = mm.next;
    }
  }
  const mer = meridiem(tokens, j);
  if (mer) return { h: hour.value, m, mer: mer.mer, next: mer.next };
  if (digits && hour.value > 12) return { h: hour.value, m, mer: 'fixed', next: j };
  return { h: hour.value, m, mer: undefined, next: j };
}

export function to24(t: TimeMatch, fallback: 'am' | 'pm'): number {
  if (t.mer === 'fixed') return t.h;
  const mer = t.mer ?? fallback;
  if (mer === 'am') return t.h === 12 ? 0 : t.h;
  return t.h === 12 ? 12 : t.h + 12;
}

export function hhmm(h: number, m: number): string {
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** Opening times default to morning and closing times to evening, as gyms keep. */
export function resolveRange(a: TimeMatch, b: TimeMatch): { opens: string; closes: string } {
  let open = to24(a, a.h === 12 ? 'pm' : 'am');
  // "one to five p m": an unmarked opening earlier than a p.m. closing shares the p.m.
  if (a.mer === undefined && b.mer === 'pm' && a.h < b.h && a.h !== 12) open = a.h + 12;
  let close = to24(b, 'pm');
  if (b.mer === undefined && b.h === 12) close = 24;
  if (close <= open && b.mer === undefined && close + 12 <= 24) close += 12;
  if (close === 0 && b.m === 0) close = 24;
  return { opens: hhmm(open === 24 ? 0 : open, a.m), closes: hhmm(close, b.m) };
}

export function validRange(r: { opens: string; closes: string }): boolean {
  return r.opens < r.closes;
}
