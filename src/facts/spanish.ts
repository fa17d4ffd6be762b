import { normalize } from './numbers.js';

// Spanish answers read by the same parsers as English ones: this turns what a Spanish-speaking receptionist says
// ("de lunes a viernes de seis de la mañana a diez de la noche", "cuarenta y nueve dólares al mes", "39,99 €",
// "spinning y boxeo") into the token stream normalize() gives for the English equivalent ("monday to friday from
// 6 in the morning to 10 at night", "49 dollars a month", "39 99 euros", "spinning and boxing"). Numbers become
// digits (the parsers take digit tokens as cloud recognisers write them); words the parsers have no use for pass
// through untouched and are ignored as English filler is. Accents are optional: recognisers and people drop them.

/** Lower case, accents and inverted marks gone ("¿Cuánto?" → "cuanto?"); ñ becomes n ("año" → "ano"). */
export function foldSpanish(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/[¿¡]/g, ' ');
}

const UNITS = new Map<string, number>(
  (
    [
      ['cero', 0],
      ['uno', 1],
      ['dos', 2],
      ['tres', 3],
      ['cuatro', 4],
      ['cinco', 5],
      ['seis', 6],
      ['siete', 7],
      ['ocho', 8],
      ['nueve', 9],
      ['diez', 10],
      ['once', 11],
      ['doce', 12],
      ['trece', 13],
      ['catorce', 14],
      ['quince', 15],
      ['dieciseis', 16],
      ['diecisiete', 17],
      ['dieciocho', 18],
      ['diecinueve', 19],
      ['veinte', 20],
      ['veintiuno', 21],
      ['veintiun', 21],
      ['veintiuna', 21],
      ['veintidos', 22],
      ['veintitres', 23],
      ['veinticuatro', 24],
      ['veinticinco', 25],
      ['veintiseis', 26],
      ['veintisiete', 27],
      ['veintiocho', 28],
      ['veintinueve', 29],
    ] as const
  ).map(([w, n]) => [w, n]),
);
const TENS = new Map<string, number>([
  ['treinta', 30],
  ['cuarenta', 40],
  ['cincuenta', 50],
  ['sesenta', 60],
  ['setenta', 70],
  ['ochenta', 80],
  ['noventa', 90],
]);
const HUNDREDS = new Map<string, number>([
  ['cien', 100],
  ['ciento', 100],
  ['doscientos', 200],
  ['doscientas', 200],
  ['trescientos', 300],
  ['trescientas', 300],
  ['cuatrocientos', 400],
  ['cuatrocientas', 400],
  ['quinientos', 500],
  ['quinientas', 500],
  ['seiscientos', 600],
  ['seiscientas', 600],
  ['setecientos', 700],
  ['setecientas', 700],
  ['ochocientos', 800],
  ['ochocientas', 800],
  ['novecientos', 900],
  ['novecientas', 900],
]);

/** 0..999 in words from token i ("ciento veintinueve", "cuarenta y nueve", "quince"). */
function below1000(t: readonly string[], i: number): { value: number; next: number } | undefined {
  let j = i;
  let value = 0;
  const h = HUNDREDS.get(t[j] ?? '');
  if (h !== undefined) {
    value = h;
    j++;
  }
  const ten = TENS.get(t[j] ?? '');
  if (ten !== undefined) {
    value += ten;
    j++;
    const u = t[j] === 'y' ? UNITS.get(t[j + 1] ?? '') : undefined;
    if (u !== undefined && u > 0 && u < 10) {
      value += u;
      j += 2;
    }
  } else {
    const u = UNITS.get(t[j] ?? '');
    if (u !== undefined) {
      value += u;
      j++;
    }
  }
  return j === i ? undefined : { value, next: j };
}

/** Spanish number words → digit tokens; "mil" multiplies ("dos mil", "mil doscientos"). */
function numbersToDigits(t: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length;) {
    const thousands = t[i] === 'mil' ? { value: 1, next: i } : below1000(t, i);
    if (thousands !== undefined && t[thousands.next] === 'mil') {
      const rest = below1000(t, thousands.next + 1);
      out.push(String(thousands.value * 1000 + (rest?.value ?? 0)));
      i = rest?.next ?? thousands.next + 1;
      continue;
    }
    if (thousands !== undefined) {
      out.push(String(thousands.value));
      i = thousands.next;
      continue;
    }
    out.push(t[i] as string);
    i++;
  }
  return out;
}

const isNum = (x: string | undefined): x is string => x !== undefined && /^\d+$/.test(x);
const CURRENCY_WORDS = new Set(['dolares', 'dolar', 'euros', 'euro', 'pesos', 'peso', 'centavos', 'centimos']);
/** Words after which a number is a time of day ("a las siete y media", "de seis y cuarto a diez"). */
const TIME_CUES = new Set(['las', 'la', 'a', 'de', 'hasta', 'desde', 'entre', 'y']);

/**
 * Minutes and decimals said with a conjunction: "siete y media" → 7 30, "siete y cuarto" → 7 15, "siete menos
 * cuarto" → 6 45, "las siete y diez" → 7 10 (a time only after a time word, so "20 y 40 dólares" stays two
 * amounts), and "treinta y nueve con noventa y nueve" → 39 99 (the price's cents).
 */
function minutesAndCents(t: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const x = t[i] as string;
    const [a, b] = [t[i + 1], t[i + 2]];
    const hour = isNum(x) && Number(x) >= 1 && Number(x) <= 24 && TIME_CUES.has(t[i - 1] ?? '');
    if (hour && a === 'y' && (b === 'media' || b === 'cuarto')) {
      out.push(x, b === 'media' ? '30' : '15');
      i += 2;
    } else if (hour && a === 'menos' && b === 'cuarto') {
      out.push(String(Number(x) === 1 ? 12 : Number(x) - 1), '45');
      i += 2;
    } else if (
      hour &&
      a === 'y' &&
      isNum(b) &&
      Number(b) >= 1 &&
      Number(b) < 60 &&
      !CURRENCY_WORDS.has(t[i + 3] ?? '')
    ) {
      out.push(x, b.padStart(2, '0'));
      i += 2;
    } else if (isNum(x) && a === 'con' && isNum(b) && Number(b) < 100) {
      out.push(x, b.padStart(2, '0'));
      i += 2;
    } else out.push(x);
  }
  return out;
}

// Spanish phrase → the English words the parsers read. Matched longest first on folded tokens; an empty
// translation drops the words (articles, "horas" after a time).
const PHRASES: readonly (readonly [string, string])[] = [
  // Times of day.
  ['12 de la noche', 'midnight'],
  ['12 del mediodia', 'noon'],
  ['12 de la tarde', 'noon'],
  ['de la manana', 'in the morning'],
  ['por la manana', 'in the morning'],
  ['de la madrugada', 'in the morning'],
  ['de la tarde', 'in the afternoon'],
  ['por la tarde', 'in the afternoon'],
  ['de la noche', 'at night'],
  ['por la noche', 'at night'],
  ['a mediodia', 'at noon'],
  ['al mediodia', 'at noon'],
  ['mediodia', 'noon'],
  ['a medianoche', 'at midnight'],
  ['medianoche', 'midnight'],
  ['en punto', 'oclock'],
  ['a la una', 'at 1'],
  ['hasta la una', 'until 1'],
  ['de la una', 'from 1'],
  ['la una', '1'],
  ['a las', 'at'],
  ['de las', 'from'],
  ['desde las', 'from'],
  ['hasta las', 'until'],
  ['hasta la', 'until'],
  ['las 24 horas', '24 hours'],
  ['24 horas', '24 hours'],
  ['horas', ''],
  ['hrs', ''],
  ['hs', ''],
  // Days.
  ['todos los dias', 'every day'],
  ['todo el dia', ''],
  ['toda la semana', 'every day'],
  ['los 7 dias de la semana', 'seven days a week'],
  ['7 dias a la semana', 'seven days a week'],
  ['a diario', 'daily'],
  ['diariamente', 'daily'],
  ['entre semana', 'weekdays'],
  ['dias de semana', 'weekdays'],
  ['dias entre semana', 'weekdays'],
  ['dias laborables', 'weekdays'],
  ['dias habiles', 'weekdays'],
  ['los fines de semana', 'weekends'],
  ['el fin de semana', 'weekends'],
  ['fines de semana', 'weekends'],
  ['fin de semana', 'weekends'],
  ['lunes', 'monday'],
  ['martes', 'tuesday'],
  ['miercoles', 'wednesday'],
  ['jueves', 'thursday'],
  ['viernes', 'friday'],
  ['sabados', 'saturday'],
  ['sabado', 'saturday'],
  ['domingos', 'sunday'],
  ['domingo', 'sunday'],
  // Open, closed.
  ['no abrimos', 'closed'],
  ['no abre', 'closed'],
  ['no abren', 'closed'],
  ['esta cerrado', 'closed'],
  ['estamos cerrados', 'closed'],
  ['cerrado', 'closed'],
  ['cerrados', 'closed'],
  ['cerrada', 'closed'],
  ['cerramos', 'close'],
  ['cierra', 'close'],
  ['cierran', 'close'],
  ['abrimos', 'open'],
  ['abre', 'open'],
  ['abren', 'open'],
  ['abierto', 'open'],
  ['abiertos', 'open'],
  ['nunca cerramos', 'never close'],
  // Prices: periods.
  ['cuota de inscripcion', 'joining fee'],
  ['cuota de entrada', 'joining fee'],
  ['inscripcion', 'joining fee'],
  ['matricula', 'joining fee'],
  ['pago unico', 'one time'],
  ['una sola vez', 'one time'],
  ['pase diario', 'day pass'],
  ['pase de dia', 'day pass'],
  ['pase por dia', 'day pass'],
  ['pase de 1 dia', 'day pass'],
  ['clase suelta', 'per visit'],
  ['por clase', 'per visit'],
  ['por visita', 'per visit'],
  ['por sesion', 'per visit'],
  ['al mes', 'a month'],
  ['por mes', 'per month'],
  ['cada mes', 'every month'],
  ['mensuales', 'monthly'],
  ['mensual', 'monthly'],
  ['mensualidad', 'monthly'],
  ['al ano', 'a year'],
  ['por ano', 'per year'],
  ['cada ano', 'every year'],
  ['anuales', 'annual'],
  ['anual', 'annual'],
  ['a la semana', 'a week'],
  ['por semana', 'per week'],
  ['semanales', 'weekly'],
  ['semanal', 'weekly'],
  ['al dia', 'a day'],
  ['por dia', 'per day'],
  // Currencies and money words.
  ['dolares', 'dollars'],
  ['dolar', 'dollars'],
  ['dls', 'dollars'],
  ['usd', 'dollars'],
  ['euro', 'euros'],
  ['eur', 'euros'],
  ['peso', 'pesos'],
  ['centavos', 'cents'],
  ['centimos', 'cents'],
  ['es de', 'is'],
  ['son de', 'are'],
  ['sale en', 'costs'],
  ['cuesta', 'costs'],
  ['cuestan', 'costs'],
  ['vale', 'costs'],
  ['valen', 'costs'],
  ['es', 'is'],
  ['son', 'are'],
  ['membresias', 'memberships'],
  ['membresia', 'membership'],
  ['cuota', 'fee'],
  ['precio', 'price'],
  ['tarifa', 'rate'],
  ['pase', 'pass'],
  // Plans.
  ['basico', 'basic'],
  ['basica', 'basic'],
  ['estandar', 'standard'],
  ['estudiantes', 'student'],
  ['estudiante', 'student'],
  ['estudiantil', 'student'],
  ['adulto mayor', 'senior'],
  ['adultos mayores', 'senior'],
  ['tercera edad', 'senior'],
  ['jubilados', 'senior'],
  ['familiar', 'family'],
  ['parejas', 'couples'],
  ['pareja', 'couples'],
  ['corporativo', 'corporate'],
  ['empresarial', 'corporate'],
  ['ilimitado', 'unlimited'],
  ['ilimitada', 'unlimited'],
  ['oro', 'gold'],
  ['plata', 'silver'],
  ['platino', 'platinum'],
  ['fuera de hora pico', 'off peak'],
  // Classes.
  ['entrenamiento de intervalos de alta intensidad', 'hiit'],
  ['entrenamiento de fuerza', 'strength'],
  ['levantamiento de pesas', 'strength'],
  ['pesas', 'strength'],
  ['ciclismo indoor', 'cycling'],
  ['ciclismo', 'cycling'],
  ['yoga caliente', 'hot yoga'],
  ['boxeo', 'boxing'],
  ['bailoterapia', 'dance'],
  ['baile', 'dance'],
  ['bailes', 'dance'],
  ['aerobicos acuaticos', 'aqua aerobics'],
  ['aerobics acuaticos', 'aqua aerobics'],
  ['aquaerobics', 'aqua aerobics'],
  ['aquagym', 'aqua aerobics'],
  ['aqua gym', 'aqua aerobics'],
  ['hidrogimnasia', 'aqua aerobics'],
  ['aerobicos de step', 'step aerobics'],
  ['aerobics de step', 'step aerobics'],
  ['step', 'step class'],
  ['taichi', 'tai chi'],
  ['estiramientos', 'stretching'],
  ['estiramiento', 'stretching'],
  ['movilidad', 'mobility'],
  ['meditacion', 'meditation'],
  ['artes marciales', 'martial arts'],
  ['circuitos', 'circuits'],
  ['circuito', 'circuit'],
  ['clases', 'classes'],
  ['clase', 'class'],
  // Answers, endings, glue.
  ['si', 'yes'],
  ['claro', 'sure'],
  ['correcto', 'correct'],
  ['exacto', 'exactly'],
  ['adios', 'goodbye'],
  ['hasta luego', 'goodbye'],
  ['me tengo que ir', 'have to go'],
  ['tengo que irme', 'have to go'],
  ['tenemos', 'we have'],
  ['ofrecemos', 'we offer'],
  ['no tenemos', "we don't have"],
  ['excepto', 'except'],
  ['salvo', 'except'],
  ['menos', 'except'],
  ['desde', 'from'],
  ['hasta', 'until'],
  ['de', 'from'],
  ['del', 'from'],
  ['al', 'to'],
  ['a', 'to'],
  ['y', 'and'],
  ['e', 'and'],
  ['o', 'or'],
  ['u', 'or'],
  ['pero', 'but'],
  // "treinta y nueve dólares con noventa y nueve centavos": the cents after the currency.
  ['con', 'and'],
  ['el', ''],
  ['la', ''],
  ['los', ''],
  ['las', ''],
  ['lo', ''],
  ['un', ''],
  ['una', ''],
  ['unos', ''],
  ['unas', ''],
];

const PHRASE_TABLE = PHRASES.map(([es, en]) => ({
  from: es.split(' '),
  to: en === '' ? [] : en.split(' '),
})).sort((a, b) => b.from.length - a.from.length);

function translate(t: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length;) {
    const hit = PHRASE_TABLE.find((p) => p.from.every((w, k) => t[i + k] === w));
    if (hit) {
      out.push(...hit.to);
      i += hit.from.length;
    } else out.push(t[i++] as string);
  }
  return out;
}

/** The English token stream (normalize()'s shape) for a Spanish utterance. */
export function spanishTokens(text: string): string[] {
  let s = ` ${foldSpanish(text)} `;
  // Written money and times, as a cloud recogniser formats them: "39,99 €", "€39", "$49.99", "7:30", "7 a. m.".
  s = s.replace(/€\s*(\d+)(?:[.,](\d\d))?/g, (_m, a: string, b: string | undefined) => ` ${a} ${b ?? ''} euros `);
  s = s.replace(/(\d+)(?:[.,](\d\d))?\s*€/g, (_m, a: string, b: string | undefined) => ` ${a} ${b ?? ''} euros `);
  s = s.replace(/\$\s*(\d+)(?:[.,](\d\d))?/g, (_m, a: string, b: string | undefined) => ` ${a} ${b ?? ''} dollars `);
  s = s.replace(/\b(\d+)[.,](\d\d)\b(?!\s*(?:h|hs|hrs|horas)\b)/g, ' $1 con $2 ');
  s = s
    .replace(/\b(\d{1,2})\s*a\.?\s?m\.?(?=\s|$)/g, ' $1 am ')
    .replace(/\b(\d{1,2})\s*p\.?\s?m\.?(?=\s|$)/g, ' $1 pm ');
  s = s.replace(/\b(\d{1,2}):(\d\d)\b/g, ' $1 $2 ');
  const words = s
    .replace(/[^a-z0-9 ]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  // normalize() once more: "am"/"pm" and digit handling exactly as for English text.
  return closedWithoutTime(normalize(translate(minutesAndCents(numbersToDigits(words))).join(' ')));
}

/**
 * "los domingos cerramos" says closed with the verb of closing time ("cerramos a las diez"): a "close" that no
 * time, day or "at" follows is "closed".
 */
function closedWithoutTime(t: string[]): string[] {
  return t.map((w, i) => {
    if (w !== 'close') return w;
    const next = t[i + 1];
    return next === undefined ||
      !/^(\d+|at|from|until|on|noon|midnight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekends|weekdays|every|daily)$/.test(
        next,
      )
      ? 'closed'
      : w;
  });
}
