import { DAYS, PERIODS, type Day, type Period } from '../facts/model.js';
import { normalize } from '../facts/numbers.js';
import { parseClasses } from '../facts/parse-classes.js';
import { foldSpanish, spanishTokens } from '../facts/spanish.js';
import { DAY_WORDS, PERIOD_WORDS, PLAN_WORDS } from '../facts/vocabulary.js';
import type { Language } from '../language/index.js';
import type { DayLabel } from './lines.js';

// What a front-desk caller asks, read from their words (the offline receptionist; the OpenAI path has the model
// read them). Keyword spotting over src/facts/numbers.ts's tokens, so "what time do you open today?", "are you
// open on sunday", "how much is a day pass?", "do you have spin?", "is there a pool?", "can I talk to someone?"
// and "I'd like to leave a message" each land on one intent. What it cannot place is `unclear`. A Spanish caller's
// words are read twice: as src/facts/spanish.ts's English token stream (days, plans, periods, classes: the fact
// parsers' words) and folded (accents gone) for the Spanish request phrases ("¿a qué hora abren?", "¿me pasa con
// alguien?", "quiero dejar un mensaje").

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

/** The same things in Spanish, folded (no accents): the desk names them back in the caller's words. */
export const AMENITIES_ES: readonly string[] = [
  'piscina',
  'alberca',
  'sauna',
  'bano de vapor',
  'jacuzzi',
  'spa',
  'estacionamiento',
  'parqueadero',
  'aparcamiento',
  'regaderas',
  'duchas',
  'vestidores',
  'casilleros',
  'lockers',
  'toallas',
  'guarderia',
  'entrenador personal',
  'entrenamiento personal',
  'entrenadores personales',
  'masajes',
  'masaje',
  'fisioterapia',
  'cafeteria',
  'wifi',
  'cancha',
  'muro de escalada',
  'clase de prueba',
  'pase de cortesia',
  'descuento',
  'descuentos',
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

/** A language's request phrases; Spanish ones are matched on folded words. */
interface Asking {
  readonly person: readonly string[];
  readonly message: readonly string[];
  readonly goodbye: readonly string[];
  readonly hours: readonly string[];
  readonly price: readonly string[];
  readonly classes: readonly string[];
  readonly amenities: readonly string[];
  readonly today: readonly string[];
  readonly tomorrow: readonly string[];
  readonly no: readonly string[];
}

const ASKING_EN: Asking = {
  person: PERSON,
  message: MESSAGE,
  goodbye: GOODBYE,
  hours: HOURS,
  price: PRICE,
  classes: CLASSES,
  amenities: AMENITIES,
  today: ['today', 'right now', 'tonight'],
  tomorrow: ['tomorrow'],
  no: ['no', 'nope'],
};

const ASKING_ES: Asking = {
  person: [
    'hablar con',
    'me pasa con',
    'me pasas con',
    'pasarme con',
    'me comunica con',
    'comunicarme con',
    'me puede pasar',
    'me puede comunicar',
    'alguien',
    'una persona',
    'persona real',
    'el gerente',
    'la gerente',
    'el encargado',
    'la encargada',
    'recepcionista',
    'el personal',
  ],
  message: [
    'dejar un mensaje',
    'dejarle un mensaje',
    'dejar mensaje',
    'tomar un mensaje',
    'dejar un recado',
    'un recado',
  ],
  goodbye: ['adios', 'chao', 'chau', 'hasta luego', 'eso es todo', 'es todo', 'nada mas', 'no gracias'],
  hours: ['abren', 'abre', 'abierto', 'abiertos', 'cierran', 'cierra', 'cerrado', 'horario', 'horarios', 'que hora'],
  price: [
    'cuanto',
    'cuesta',
    'cuestan',
    'precio',
    'precios',
    'cuota',
    'mensualidad',
    'membresia',
    'tarifa',
    'pase',
    'plan',
    'planes',
  ],
  classes: ['clase', 'clases'],
  amenities: AMENITIES_ES,
  today: ['hoy', 'ahorita', 'ahora', 'esta noche'],
  tomorrow: ['manana'],
  no: ['no'],
};

const longestFirst = (xs: readonly string[]): string[] => [...xs].sort((a, b) => b.length - a.length);

function dayAsked(tokens: readonly string[]): DayLabel | 'week' | undefined {
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

/**
 * What the caller asks. `words`: the request phrases' tokens (folded Spanish for a Spanish call); `tokens`: the
 * English token stream the fact parsers read.
 */
export function deskIntent(text: string, language?: Language): DeskIntent {
  const es = language === 'es';
  const a = es ? ASKING_ES : ASKING_EN;
  const tokens = es ? spanishTokens(text) : normalize(text);
  const words = es ? normalize(foldSpanish(text)) : tokens;
  if (words.length === 0) return { kind: 'unclear' };
  if (any(words, a.message)) return { kind: 'message' };
  if (any(words, a.person)) return { kind: 'person' };
  const amenity = longestFirst(a.amenities).find((x) => has(words, x));
  const classes = parseClasses(tokens);
  if (amenity !== undefined && classes.length === 0) return { kind: 'amenity', thing: amenity };
  const cls = classes[0]?.name;
  if (cls !== undefined || any(words, a.classes)) return { kind: 'classes', name: cls };
  if (any(words, a.price)) return { kind: 'price', ...planAsked(tokens) };
  // "mañana" is tomorrow unless it is the morning ("de la mañana").
  const tomorrow = any(words, a.tomorrow) && !any(words, ['la manana']);
  const day = any(words, a.today) ? 'today' : tomorrow ? 'tomorrow' : dayAsked(tokens);
  if (any(words, a.hours) || day !== undefined) return { kind: 'hours', day: day ?? 'week' };
  if (any(words, a.goodbye)) return { kind: 'goodbye' };
  if (a.no.includes(words[0] ?? '')) return { kind: 'no' };
  return { kind: 'unclear' };
}
