import { DAYS, type Day, type Topic } from '../facts/model.js';
import { dayRuns } from '../facts/say.js';
import type { LanguagePack } from './pack.js';

// Spanish: neutral Latin-American Spanish in the polite "usted", the register a caller uses with a business.
// Written with accents and inverted marks; the TTS reads them, and the heuristics that hear the agent's own lines
// (machines/text.ts) fold accents away.

const listed = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} y ${items[items.length - 1] as string}`;

const TOPIC_NAMES: Record<Topic, string> = { hours: 'horario', pricing: 'precios', classes: 'clases' };
const YOUR: Record<Topic, string> = { hours: 'su horario', pricing: 'sus precios', classes: 'sus clases' };

export const DAY_NAMES_ES: Readonly<Record<Day, string>> = {
  mon: 'lunes',
  tue: 'martes',
  wed: 'miércoles',
  thu: 'jueves',
  fri: 'viernes',
  sat: 'sábado',
  sun: 'domingo',
};

/** mon..fri → "de lunes a viernes", sat+sun → "el sábado y el domingo" (runs of three or more are ranges). */
export function sayDaysEs(days: readonly Day[]): string {
  const runs: string[] = [];
  for (const [a, b] of dayRuns(days)) {
    const from = DAYS.indexOf(a);
    const to = DAYS.indexOf(b);
    if (to - from >= 2) runs.push(`de ${DAY_NAMES_ES[a]} a ${DAY_NAMES_ES[b]}`);
    else for (let x = from; x <= to; x++) runs.push(`el ${DAY_NAMES_ES[DAYS[x] as Day]}`);
  }
  return listed(runs);
}

export const es: LanguagePack = {
  language: 'es',
  questions: {
    hours: '¿Cuál es su horario de apertura?',
    pricing: '¿Cuánto cuesta una membresía?',
    classes: '¿Qué clases ofrecen?',
  },
  topicNames: TOPIC_NAMES,
  list: listed,
  introduction(direction, name, about, askFor) {
    const calling = askFor === undefined ? 'Llamo' : `Llamo de nuevo para hablar con ${askFor}`;
    return direction === 'outbound'
      ? `Hola, ¿hablo con ${name ?? 'el gimnasio'}? Soy un asistente automático. ${calling} con unas preguntas rápidas sobre su ${about}.`
      : `Hola, ¡gracias por llamar! Soy un asistente automático y estoy recopilando ${about} ${name === undefined ? 'de su gimnasio' : `de ${name}`}.`;
  },
  callingBackFor: (askFor) => `Llamo de nuevo para hablar con ${askFor}.`,
  reprompt(n, topic) {
    const about = topic === undefined ? '' : ` Le preguntaba por ${YOUR[topic]}.`;
    return n <= 1 ? `¿Sigue ahí?${about}` : `Disculpe, no oigo nada. ¿Sigue ahí?${about}`;
  },
  holdingLines: ['Un momento, por favor.', 'Un segundo.'],
  apologyLines: ['Disculpe, no le entendí. ¿Me lo puede repetir?', 'Perdón, ¿podría repetirlo?'],
  clarifyLines: ['¿Me podría dar un poco más de detalle?', 'Perdón, ¿me lo podría decir de otra forma?'],
  goodbye(reason) {
    switch (reason) {
      case 'facts-complete':
        return 'Eso es todo lo que necesitaba. Muchas gracias por su ayuda, ¡adiós!';
      case 'max-duration':
        return 'Lo siento, tengo que terminar. Gracias por su tiempo, ¡adiós!';
      case 'idle':
        return 'Volveré a llamar en otro momento. Gracias, ¡adiós!';
      case 'error':
        return 'Lo siento, tengo un problema técnico. Llamaré más tarde. ¡Adiós!';
      default:
        return 'Gracias por su tiempo, ¡adiós!';
    }
  },
  digits: ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve'],
  theGym: 'el gimnasio',
  screening: (gym) =>
    `Soy un asistente automático que llama a ${gym} con una pregunta rápida sobre el horario, los precios y las clases.`,
  reintroduction: (gym) =>
    `Hola, soy un asistente automático que llama a ${gym} por su horario, sus precios y sus clases.`,
  voicemail: (gym, number) => [
    `Hola, soy un asistente automático que llama a ${gym} para preguntar por su horario, los precios de la membresía y las clases.`,
    number === undefined ? 'Volveremos a llamar en otro momento.' : `Por favor, devuélvanos la llamada al ${number}.`,
    'Gracias, ¡adiós!',
  ],
  recordingNotice: 'Esta llamada se graba.',
  interviewer: {
    question: {
      hours: '¿Cuál es su horario de apertura?',
      pricing: '¿Y cuánto cuesta una membresía?',
      classes: '¿Qué clases de fitness ofrecen?',
    },
    clarify: {
      hours: 'Perdón, no entendí bien su horario. ¿Me lo puede repetir, día por día?',
      pricing: 'Perdón, no entendí bien el precio de la membresía. ¿Me lo puede repetir?',
      classes: 'Perdón, no entendí bien qué clases ofrecen. ¿Me puede nombrar algunas otra vez?',
    },
    reprompt: {
      hours: '¿Sigue ahí? Le preguntaba por su horario.',
      pricing: '¿Sigue ahí? Le preguntaba cuánto cuesta una membresía.',
      classes: '¿Sigue ahí? Le preguntaba qué clases ofrecen.',
    },
    stillThere: '¿Sigue ahí?',
    otherDays: (days) => `¿Y ${sayDaysEs(days)}?`,
    // Day names and their joining words only: "¿Y cuánto cuesta una membresía?" is not this follow-up.
    otherDaysAsked: /^¿?y ((de|el|a|y|lunes|martes|miércoles|jueves|viernes|sábado|domingo),? ?)+\?$/i,
    acks: ['Perfecto, gracias.', 'Entendido, gracias.', 'Muy bien.', 'Gracias, eso me ayuda.'],
    goodbyeDone: 'Muchas gracias, eso es todo lo que necesitaba. Que tenga un buen día, ¡adiós!',
    goodbyePartial: 'Gracias por su tiempo, me ha sido muy útil. Que tenga un buen día, ¡adiós!',
    goodbyeCaller: 'Claro, gracias por su tiempo. ¡Adiós!',
    changed: {
      hours: 'Ah, entonces el horario ha cambiado. ¿Cuál es ahora?',
      pricing: 'Ah, entonces el precio de la membresía ha cambiado. ¿Cuánto es ahora?',
      classes: 'Ah, entonces las clases han cambiado. ¿Cuáles tienen ahora?',
    },
    greeting: (direction, about, forWhom) =>
      direction === 'outbound'
        ? `¡Hola! Soy un asistente automático y llamo${forWhom === undefined ? '' : ` para hablar con ${forWhom}`} con unas preguntas rápidas sobre ${about}.`
        : `Hola, ¡gracias por llamar! Soy un asistente automático y estoy recopilando información sobre ${about}.`,
    yourGym: 'su gimnasio',
    outcome: {
      'wrong-number': 'Disculpe la molestia. Que tenga un buen día, ¡adiós!',
      'not-a-gym': 'Disculpe, buscaba un gimnasio. Que tenga un buen día, ¡adiós!',
      'permanently-closed': 'Lamento oír eso. Gracias por avisarme, ¡adiós!',
      'do-not-call': 'Por supuesto, no volveremos a llamar. Disculpe la molestia, ¡adiós!',
    },
    callback: (person) =>
      `Gracias, entonces llamaré de nuevo${person === undefined ? '' : ` y preguntaré por ${person}`}. ¡Adiós!`,
    refusalAck: 'No hay problema, lo entiendo.',
    beforeTransfer: (question) => `Claro, antes de transferirme, una pregunta rápida. ${question}`,
    holdForTransfer: 'Gracias. Adelante, transfiérame, yo espero.',
    // Normalised tokens have no accents ("si", "mas").
    no: ['no', 'ya no', 'cambio', 'cambiado', 'cambiaron', 'diferente', 'distinto'],
    yes: [
      'si',
      'claro',
      'correcto',
      'exacto',
      'sigue',
      'siguen',
      'igual',
      'lo mismo',
      'asi es',
      'eso es',
      'por supuesto',
    ],
    unchanged: [
      'no ha cambiado',
      'no han cambiado',
      'nada ha cambiado',
      'no cambio nada',
      'sigue igual',
      'siguen igual',
      'sin cambios',
    ],
    // Folded as the tokens are ("perdón" is "perdon").
    corrections: ['en realidad', 'quiero decir', 'queria decir', 'perdon', 'me equivoque', 'corrijo', 'mejor dicho'],
  },
  promptRule:
    'Speak Spanish (español, the polite "usted") in everything you say, even if these instructions are in English. Record facts in the tools exactly as the tools define them (24-hour times, English day keys, the currency amount).',
};
