import { foldSpanish } from '../facts/spanish.js';

// A Spanish deferral in the words callback.ts reads: "llame después de las dos y pregunte por Miguel" → "call back
// after two and ask for miguel", "el gerente llega mañana por la mañana" → "the manager is in tomorrow morning".
// Phrase by phrase, longest first, on folded words; what it does not know passes through (names, numbers said as
// digits). The callback found keeps the person's own words.

const PHRASES: readonly (readonly [string, string])[] = [
  // Asking to call back.
  ['vuelva a llamar', 'call back'],
  ['vuelvan a llamar', 'call back'],
  ['llame de nuevo', 'call back'],
  ['llame otra vez', 'call back'],
  ['llame mas tarde', 'call back later'],
  ['llamenos', 'give us a call'],
  ['llame', 'call back'],
  ['marque mas tarde', 'call back later'],
  ['pregunte por', 'ask for'],
  ['hable con', 'speak to'],
  ['preguntar por', 'ask for'],
  // Someone not in, or in later.
  ['no esta en este momento', 'is not in right now'],
  ['no esta ahorita', 'is not in right now'],
  ['no esta ahora', 'is not in right now'],
  ['no esta hoy', 'is not in today'],
  ['no se encuentra', 'is not in right now'],
  ['llega', 'is in'],
  ['viene', 'is in'],
  ['esta', 'is in'],
  ['regresa', 'is back'],
  ['vuelve', 'is back'],
  // When.
  ['manana por la manana', 'tomorrow morning'],
  ['manana por la tarde', 'tomorrow afternoon'],
  ['manana en la manana', 'tomorrow morning'],
  ['por la manana', 'morning'],
  ['en la manana', 'morning'],
  ['por la tarde', 'afternoon'],
  ['en la tarde', 'afternoon'],
  ['por la noche', 'evening'],
  ['despues de comer', 'after lunch'],
  ['despues de la una', 'after one'],
  ['despues de las', 'after'],
  ['antes de la una', 'before one'],
  ['antes de las', 'before'],
  ['a la una', 'at one'],
  ['a las', 'at'],
  ['como a las', 'around'],
  ['mas tarde', 'later'],
  ['manana', 'tomorrow'],
  ['hoy', 'today'],
  ['el lunes', 'on monday'],
  ['el martes', 'on tuesday'],
  ['el miercoles', 'on wednesday'],
  ['el jueves', 'on thursday'],
  ['el viernes', 'on friday'],
  ['el sabado', 'on saturday'],
  ['el domingo', 'on sunday'],
  ['y media', 'thirty'],
  ['uno', 'one'],
  ['dos', 'two'],
  ['tres', 'three'],
  ['cuatro', 'four'],
  ['cinco', 'five'],
  ['seis', 'six'],
  ['siete', 'seven'],
  ['ocho', 'eight'],
  ['nueve', 'nine'],
  ['diez', 'ten'],
  ['once', 'eleven'],
  ['doce', 'twelve'],
  // Who.
  ['el gerente', 'the manager'],
  ['la gerente', 'the manager'],
  ['el encargado', 'the manager'],
  ['la encargada', 'the manager'],
  ['el dueno', 'the owner'],
  ['la duena', 'the owner'],
  ['la recepcion', 'the front desk'],
  ['y', 'and'],
];

const TABLE = PHRASES.map(([es, en]) => ({ from: es.split(' '), to: en })).sort(
  (a, b) => b.from.length - a.from.length,
);

/** The English words of a Spanish callback request (lower case; sentence ends kept). */
export function callbackWordsEs(text: string): string {
  const words = foldSpanish(text)
    .replace(/([.?!;])/g, ' $1 ')
    .replace(/[^a-z0-9.?!;:\s]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const out: string[] = [];
  for (let i = 0; i < words.length;) {
    const hit = TABLE.find((p) => p.from.every((w, k) => words[i + k] === w));
    if (hit) {
      out.push(hit.to);
      i += hit.from.length;
    } else out.push(words[i++] as string);
  }
  return out.join(' ');
}
