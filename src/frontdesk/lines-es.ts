import { sayPhoneNumber } from '../../machines/situation-lines.js';
import type { Day, DayHours, MembershipPlan, Period } from '../facts/model.js';
import { clockOf, sayGymName } from '../facts/say.js';
import { DAY_NAMES_ES, sayDaysEs } from '../language/es.js';
import type { DayLabel, DeskLines } from './lines.js';

// The front desk's lines in Spanish (neutral Latin-American, "usted", as the language pack's). Values are said in
// the words src/facts/spanish.ts reads back ("de seis de la mañana a diez de la noche", "cuarenta y nueve dólares
// al mes", "treinta y nueve con noventa y nueve euros"), so the guard checks the desk's own Spanish sentences with
// the same parsers as a model's.

const UNITS = [
  'cero',
  'uno',
  'dos',
  'tres',
  'cuatro',
  'cinco',
  'seis',
  'siete',
  'ocho',
  'nueve',
  'diez',
  'once',
  'doce',
  'trece',
  'catorce',
  'quince',
  'dieciséis',
  'diecisiete',
  'dieciocho',
  'diecinueve',
  'veinte',
  'veintiuno',
  'veintidós',
  'veintitrés',
  'veinticuatro',
  'veinticinco',
  'veintiséis',
  'veintisiete',
  'veintiocho',
  'veintinueve',
];
const TENS = ['', '', '', 'treinta', 'cuarenta', 'cincuenta', 'sesenta', 'setenta', 'ochenta', 'noventa'];
const HUNDREDS = [
  '',
  'ciento',
  'doscientos',
  'trescientos',
  'cuatrocientos',
  'quinientos',
  'seiscientos',
  'setecientos',
  'ochocientos',
  'novecientos',
];

/** 0..9999 in Spanish words: 49 → "cuarenta y nueve", 100 → "cien", 1250 → "mil doscientos cincuenta". */
export function sayNumberEs(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) throw new RangeError(`sayNumberEs supports 0..9999, got ${n}`);
  if (n >= 1000) {
    const k = Math.floor(n / 1000);
    const head = k === 1 ? 'mil' : `${sayNumberEs(k)} mil`;
    return n % 1000 === 0 ? head : `${head} ${sayNumberEs(n % 1000)}`;
  }
  if (n === 100) return 'cien';
  if (n > 100)
    return n % 100 === 0
      ? (HUNDREDS[n / 100] as string)
      : `${HUNDREDS[Math.floor(n / 100)] as string} ${sayNumberEs(n % 100)}`;
  if (n < 30) return UNITS[n] as string;
  const t = TENS[Math.floor(n / 10)] as string;
  return n % 10 === 0 ? t : `${t} y ${UNITS[n % 10] as string}`;
}

/** "06:00" → "seis de la mañana", "21:30" → "nueve y media de la noche", "12:00" → "mediodía", "00:00" → "medianoche". */
export function sayTimeEs(hhmm: string): string {
  const { h, min, h12 } = clockOf(hhmm);
  if ((h === 24 || h === 0) && min === 0) return 'medianoche';
  if (h === 12 && min === 0) return 'mediodía';
  const hour = h12 === 1 ? 'una' : sayNumberEs(h12);
  const minutes = min === 0 ? '' : min === 15 ? ' y cuarto' : min === 30 ? ' y media' : ` y ${sayNumberEs(min)}`;
  const part = h < 12 || h === 24 ? 'de la mañana' : h < 20 ? 'de la tarde' : 'de la noche';
  return `${hour}${minutes} ${part}`;
}

const CURRENCY_WORDS: Record<string, string> = {
  USD: 'dólares',
  CAD: 'dólares',
  AUD: 'dólares',
  EUR: 'euros',
  MXN: 'pesos',
  COP: 'pesos',
  ARS: 'pesos',
  CLP: 'pesos',
  GBP: 'libras',
};

/** 4999 USD → "cuarenta y nueve con noventa y nueve dólares" (the form "39,99 €" is read aloud in). */
export function sayAmountEs(amountMinor: number, currency: string): string {
  const word = CURRENCY_WORDS[currency] ?? currency;
  const units = Math.floor(amountMinor / 100);
  // sayNumberEs stops at 9,999: a larger amount (a yearly plan in pesos) in digits, which a voice reads.
  const whole = units > 9999 ? String(units) : sayNumberEs(units);
  const cents = amountMinor % 100;
  return cents === 0 ? `${whole} ${word}` : `${whole} con ${sayNumberEs(cents)} ${word}`;
}

const PERIOD_ES: Readonly<Record<Period, string>> = {
  month: 'al mes',
  year: 'al año',
  week: 'a la semana',
  day: 'al día',
  visit: 'por visita',
  once: 'en un pago único',
};

const listed = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} y ${items[items.length - 1] as string}`;
const stop = (s: string): string => (s.endsWith('.') ? s : `${s}.`);
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function dayWords(d: DayLabel): string {
  return d === 'today' ? 'hoy' : d === 'tomorrow' ? 'mañana' : `el ${DAY_NAMES_ES[d]}`;
}

function dayHours(d: DayLabel, h: DayHours): string {
  const lead = capital(dayWords(d));
  if ('closed' in h) return `${lead} estamos cerrados.`;
  if ('open24h' in h) return `${lead} abrimos las veinticuatro horas.`;
  return `${lead} abrimos de ${sayTimeEs(h.opens)} a ${sayTimeEs(h.closes)}.`;
}

function week(days: readonly Day[], h: DayHours): string {
  const when = sayDaysEs(days);
  if ('closed' in h) return `${capital(when)} estamos cerrados.`;
  if ('open24h' in h) return `${capital(when)} abrimos las veinticuatro horas.`;
  return `${capital(when)} abrimos de ${sayTimeEs(h.opens)} a ${sayTimeEs(h.closes)}.`;
}

// A Spanish gym's plans are stored in the parsers' English words (spanish.ts reads "mensualidad" as "monthly"):
// said back in Spanish. A name with no translation is said as stored (a brand: "Black Card").
const PASSES: Readonly<Record<string, string>> = {
  'day pass': 'el pase diario',
  'drop-in': 'la visita suelta',
  'joining fee': 'la inscripción',
};
const PLAN_WORDS_ES: readonly (readonly [string, string])[] = [
  ['monthly', 'mensual'],
  ['annual', 'anual'],
  ['weekly', 'semanal'],
  ['basic', 'básico'],
  ['standard', 'estándar'],
  ['student', 'estudiante'],
  ['senior', 'adulto mayor'],
  ['family', 'familiar'],
  ['couples', 'pareja'],
  ['corporate', 'corporativo'],
  ['unlimited', 'ilimitado'],
  ['off peak', 'de horario valle'],
  ['gold', 'oro'],
  ['silver', 'plata'],
  ['platinum', 'platino'],
];

/** "monthly" → "el plan mensual", "day pass" → "el pase diario", "student monthly" → "el plan estudiante mensual". */
export function planNameEs(stored: string): string {
  const name = stored.trim().toLowerCase();
  const pass = PASSES[name];
  if (pass !== undefined) return pass;
  let out = ` ${name
    .replace(/\b(membership|plan)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()} `;
  for (const [en, es] of PLAN_WORDS_ES) out = out.replace(` ${en} `, ` ${es} `);
  return `el plan ${out.trim()}`;
}

// Class names are stored in the parsers' English too ("boxeo" → "boxing"): said back in Spanish, which the guard
// reads back as the stored name. Names with no Spanish word of their own (yoga, spin, zumba, pilates) stay.
export const CLASS_ES: Readonly<Record<string, string>> = {
  boxing: 'boxeo',
  strength: 'entrenamiento de fuerza',
  cycling: 'ciclismo indoor',
  'hot yoga': 'yoga caliente',
  dance: 'baile',
  'aqua aerobics': 'aquaeróbics',
  'step aerobics': 'aeróbics de step',
  stretching: 'estiramientos',
  mobility: 'movilidad',
  meditation: 'meditación',
  'martial arts': 'artes marciales',
  circuits: 'circuitos',
};

export const classNameEs = (stored: string): string => CLASS_ES[stored.trim().toLowerCase()] ?? stored;

/** "de" + "el plan" is "del plan". */
const of = (what: string): string => (what.startsWith('el ') ? `d${what}` : `de ${what}`);

function plan(p: MembershipPlan): string {
  return `${capital(planNameEs(p.plan))} cuesta ${sayAmountEs(p.amountMinor, p.currency)} ${PERIOD_ES[p.period]}.`;
}

const PERIOD_PLAN: Readonly<Record<Period, string>> = {
  month: 'un plan mensual',
  year: 'un plan anual',
  week: 'un plan semanal',
  day: 'un pase diario',
  visit: 'una visita suelta',
  once: 'un pago único',
};

export const DESK_LINES_ES: DeskLines = {
  language: 'es',
  offer: 'Le puedo dar nuestro horario, precios y clases, tomarle un mensaje o comunicarle con el personal.',
  help: '¿En qué le puedo ayudar?',
  anythingElse: '¿Le puedo ayudar en algo más?',
  reprompt: '¿Sigue ahí? ¿En qué le puedo ayudar?',
  repromptAgain: 'Disculpe, no oigo nada. ¿Sigue ahí?',
  goodbye: 'Gracias por llamar, ¡hasta luego!',
  goodbyeIdle: 'No oigo nada, así que voy a colgar. Por favor, llame de nuevo. ¡Hasta luego!',
  goodbyeError: 'Disculpe, tengo un problema técnico. Por favor, llame más tarde. ¡Hasta luego!',
  notUnderstood: 'Disculpe, no le entendí. Me puede preguntar por nuestro horario, precios o clases.',
  unknown: 'Lo siento, no tengo esa información.',
  offerMessage: 'Si quiere, le tomo un mensaje para el personal.',
  staleNote: 'Es lo último que confirmamos, así que puede haber cambiado.',
  hoursUnknown: 'Lo siento, no tengo nuestro horario.',
  pricesUnknown: 'Lo siento, no tengo nuestros precios.',
  classesUnknown: 'Lo siento, no tengo la lista de clases.',
  messageName: 'Claro, le tomo el mensaje. ¿Cuál es su nombre?',
  messageNumber: 'Gracias. ¿A qué número le podemos devolver la llamada?',
  messageNumberAgain: 'Disculpe, no entendí el número. ¿Me lo puede decir dígito por dígito?',
  messageReason: '¿Y de qué se trata?',
  messageCancelled: 'De acuerdo, no tomo ningún mensaje.',
  transferring: 'Claro, le comunico con el personal ahora. Espere un momento, por favor.',
  transferFailed: 'Disculpe, no pude comunicarle.',
  transferUnanswered:
    'Lo siento, nadie en recepción pudo atender su llamada en este momento. Por favor, llame más tarde. Adiós.',
  noStaff: 'Lo siento, ahora mismo no hay nadie con quien comunicarle.',
  greeting(gymName) {
    const name = sayGymName(gymName);
    return `Gracias por llamar${name === undefined ? '' : ` a ${name}`}. Habla la recepción automática.`;
  },
  dayHours,
  dayHoursUnknown: (d) =>
    `Lo siento, no tengo nuestro horario ${d === 'today' || d === 'tomorrow' ? `de ${dayWords(d)}` : `del ${DAY_NAMES_ES[d]}`}.`,
  holiday: (d, holiday) =>
    `${d === 'today' ? 'Hoy' : d === 'tomorrow' ? 'Mañana' : `Este ${DAY_NAMES_ES[d]}`} es ${holiday}, y no sé nuestro horario del feriado.`,
  holidayNamed: (holiday) => `${capital(holiday)} es un día feriado, y no sé nuestro horario del feriado.`,
  week,
  daysMissing: (n) => `No tengo nuestro horario de ${n === 1 ? 'un día' : `${sayNumberEs(n)} días`} de la semana.`,
  plan,
  planUnknown: (p) => `Lo siento, no tengo el precio ${of(p.startsWith('un') ? p : planNameEs(p))}.`,
  periodPlan: (period) => PERIOD_PLAN[period],
  classes: (names) => `Nuestras clases son ${listed(names.map(classNameEs))}.`,
  classYes: (name, schedule) =>
    schedule === undefined
      ? `Sí, tenemos ${classNameEs(name)}.`
      : stop(`Sí, tenemos ${classNameEs(name)}, ${schedule}`),
  classUnknown: (name) => `No sé si tenemos ${classNameEs(name)}; no está en la lista de clases que tengo.`,
  topicUnknown: (thing) => `Lo siento, no tengo información sobre ${thing}.`,
  messageTaken: (name, number) =>
    `Gracias, ${name}. Le pasé su mensaje al personal, y le devolverán la llamada al número ${sayPhoneNumber(number, 'es')}.`,
};
