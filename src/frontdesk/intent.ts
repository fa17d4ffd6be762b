import { DAYS, PERIODS, type Day, type Period } from '../facts/model.js';
import { normalize } from '../facts/numbers.js';
import { parseClasses } from '../facts/parse-classes.js';
import { DAY_WORDS, PERIOD_WORDS, PLAN_WORDS } from '../facts/vocabulary.js';
import type { DayLabel } from './lines.js';

// What a front-desk caller asks, read from their words (the offline receptionist; the OpenAI path has the model
// read them). Keyword spotting over src/facts/numbers.ts's tokens, so "what time do you open today?", "are you
// open on sunday", "how much is a day pass?", "do you have spin?", "is there a pool?", "can I talk to someone?"
// and "I'd like to leave a message" each land on one intent. What it cannot place is `unclear`.

/** Things callers ask gyms about that the stored facts never cover: the desk says it does not know them. */
export const AMENITIES: readonly string[] = [
  'pool',
  'swimming pool',
  'sauna',
  'steam room',
  'hot tub',
  'jacuzzi',
  'spa',
  'parking',
  'car park',
  'showers',
  'shower',
  'lockers',
  'locker',
  'towels',
  'childcare',
  'daycare',
  'creche',
  'kids club',
  'personal training',
  'personal trainer',
  'personal trainers',
  'massage',
  'physio',
  'juice bar',
  'cafe',
  'wifi',
  'basketball court',
  'tennis court',
  'squash court',
  'climbing wall',
  'tanning',
  'free trial',
  'guest pass',
  'discount',
  'discounts',
];

export type DeskIntent =
  | { kind: 'hours'; day: DayLabel | 'week' }
  | { kind: 'price'; plan: string | undefined; period: Period | undefined }
  | { kind: 'classes'; name: string | undefined }
  | { kind: 'amenity'; thing: string }
  | { kind: 'person' }
  | { kind: 'message' }
  | { kind: 'goodbye' }
  | { kind: 'no' }
  | { kind: 'unclear' };

const has = (tokens: readonly string[], phrase: string): boolean => {
  const w = phrase.split(' ');
  for (let i = 0; i + w.length <= tokens.length; i++) if (w.every((x, k) => tokens[i + k] === x)) return true;
  return false;
};
const any = (tokens: readonly string[], phrases: readonly string[]): boolean => phrases.some((p) => has(tokens, p));

const PERSON = [
  'speak to',
  'talk to',
  'speak with',
  'talk with',
  'put me through',
  'transfer me',
  'a person',
  'a human',
  'real person',
  'someone',
  'somebody',
  'manager',
  'receptionist',
  'the staff',
  'staff member',
];
const MESSAGE = ['leave a message', 'take a message', 'leave message', 'pass on a message', 'leave a note'];
const GOODBYE = [
  'bye',
  'goodbye',
  "that's all",
  'that is all',
  "that's it",
  'nothing else',
  'no thanks',
  'no thank you',
];
const HOURS = ['open', 'opening', 'close', 'closing', 'closed', 'hours', 'what time', 'when do you'];
const PRICE = ['how much', 'price', 'prices', 'cost', 'costs', 'fee', 'fees', 'membership', 'memberships', 'pass'];
const CLASSES = ['class', 'classes', 'schedule', 'timetable'];

function dayAsked(tokens: readonly string[]): DayLabel | 'week' | undefined {
  if (tokens.includes('today') || has(tokens, 'right now') || tokens.includes('tonight')) return 'today';
  if (tokens.includes('tomorrow')) return 'tomorrow';
  const day = DAYS.find((d: Day) => DAY_WORDS[d].some((w) => w.length > 3 && tokens.includes(w)));
  return day;
}

function planAsked(tokens: readonly string[]): { plan: string | undefined; period: Period | undefined } {
  const plan = [...PLAN_WORDS].sort((a, b) => b.length - a.length).find((p) => has(tokens, p));
  const period = PERIODS.find((p) =>
    PERIOD_WORDS[p].some((w) => (w.split(' ').length > 1 || w.length > 4 ? has(tokens, w) : false)),
  );
  return { plan, period };
}

export function deskIntent(text: string): DeskIntent {
  const tokens = normalize(text);
  if (tokens.length === 0) return { kind: 'unclear' };
  if (any(tokens, MESSAGE)) return { kind: 'message' };
  if (any(tokens, PERSON)) return { kind: 'person' };
  const amenity = [...AMENITIES].sort((a, b) => b.length - a.length).find((a) => has(tokens, a));
  const classes = parseClasses(tokens);
  if (amenity !== undefined && classes.length === 0) return { kind: 'amenity', thing: amenity };
  const cls = classes[0]?.name;
  if (cls !== undefined || any(tokens, CLASSES)) return { kind: 'classes', name: cls };
  if (any(tokens, PRICE)) return { kind: 'price', ...planAsked(tokens) };
  const day = dayAsked(tokens);
  if (any(tokens, HOURS) || day !== undefined) return { kind: 'hours', day: day ?? 'week' };
  if (any(tokens, GOODBYE)) return { kind: 'goodbye' };
  if (tokens[0] === 'no' || tokens[0] === 'nope') return { kind: 'no' };
  return { kind: 'unclear' };
}
