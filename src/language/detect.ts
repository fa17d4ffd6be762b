import type { Language } from './index.js';

// Which language a person's words are in, for the call's one switch (machines/language.region.ts). A recogniser
// that listens for several languages says so itself (Deepgram's multilingual words carry theirs); otherwise the
// words are counted against the small words each language cannot do without. Either way a final needs a few
// words: "okay" or "sí" alone switches nothing.

const MIN_WORDS = 3;

// Function words and the words of this conversation, lower case without accents. Words both languages use ("no",
// "a", "me", "pilates") are in neither list.
const MARKERS: Readonly<Record<Language, ReadonlySet<string>>> = {
  en: new Set(
    (
      'the and is are we you to of for on in it at our from hi hello yes this that what open close closed dollars ' +
      'month classes hours thanks thank have do can how with until through weekends weekdays monday tuesday ' +
      "wednesday thursday friday saturday sunday morning evening night we're it's they there here sorry okay"
    ).split(' '),
  ),
  es: new Set(
    (
      'de la el los las que y es son para por con una un hola gracias si lunes martes miercoles jueves viernes sabado ' +
      'sabados domingo domingos abrimos cerramos abierto cerrado tenemos cuesta cuestan dolares euros pesos mes ' +
      'clases horario buenos buenas dias tardes claro bueno como esta estamos muy pero al del hasta desde manana ' +
      'noche tarde le lo se su sus usted aqui habla gimnasio membresia precio hay tambien todos'
    ).split(' '),
  ),
};

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9'\s]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/**
 * The language of `text`: `reported` (the recogniser's) when it gave one, else the language whose markers are at
 * least twice the other's (two at least); undefined for fewer than three words or no clear winner.
 */
export function spokenLanguage(text: string, reported: Language | undefined): Language | undefined {
  const ws = tokens(text);
  if (ws.length < MIN_WORDS) return undefined;
  if (reported !== undefined) return reported;
  const en = ws.filter((w) => MARKERS.en.has(w)).length;
  const es = ws.filter((w) => MARKERS.es.has(w)).length;
  if (es >= 2 && es >= 2 * en) return 'es';
  if (en >= 2 && en >= 2 * es) return 'en';
  return undefined;
}
