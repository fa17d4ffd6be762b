import { words } from './text.js';

// The caller asks to hear the agent's last words again ("sorry, what was that?", "¿cómo dice?"). Only phrases of
// asking: a few say so wherever they stand ("I didn't catch that, sorry"); most only when they end the turn, since
// the same words start other sentences ("what was that regarding?", "pardon our noise, we open at six", "¿otra vez
// usted?"); and words like "sorry", "what", "¿mande?" only when they are the whole turn ("sorry, we're closed" is an
// answer).
const HEAR_AGAIN_ANYWHERE = [
  "didn't catch",
  'did not catch',
  "didn't hear",
  'did not hear',
  "couldn't hear",
  'could not hear',
  "can't hear",
  'missed that',
  'you cut out',
  "you're breaking up",
  'can you repeat',
  'could you repeat',
  'repeat the question',
  'say that again',
  'say it again',
  'no entendi',
  'no entiendo',
  'no le entendi',
  'no le oigo',
  'no le escucho',
  'no le escuche',
  'no escuche',
  'no se escucha',
  'me repite',
  'repitame',
  'puede repetir',
  'podria repetir',
];
const HEAR_AGAIN_AT_END = [
  'what was that',
  "what's that",
  'what did you say',
  'what was the question',
  'come again',
  'say again',
  'one more time',
  'repeat that',
  'pardon',
  'pardon me',
  'excuse me',
  'como dice',
  'como dijo',
  'que dijo',
  'que dice',
  'otra vez',
  'repetirlo',
];
/** Words after the asking that leave it an asking ("what was that again, please?"). */
const HEAR_AGAIN_TAIL = new Set(['again', 'please', 'sorry', 'por', 'favor']);
const HEAR_AGAIN_ALONE = new Set([
  'sorry',
  "i'm",
  'what',
  'wait',
  'huh',
  'pardon',
  'excuse',
  'me',
  'perdon',
  'perdone',
  'disculpe',
  'mande',
  'como',
  'que',
  'eh',
]);

export function asksToHearAgain(text: string): boolean {
  const w = words(text);
  const joined = ` ${w.join(' ')} `;
  if (HEAR_AGAIN_ANYWHERE.some((p) => joined.includes(` ${p} `))) return true;
  let end = w.length;
  while (end > 0 && HEAR_AGAIN_TAIL.has(w[end - 1] as string)) end--;
  const head = ` ${w.slice(0, end).join(' ')}`;
  if (HEAR_AGAIN_AT_END.some((p) => head.endsWith(` ${p}`))) return true;
  return w.length > 0 && w.length <= 4 && w.every((x) => HEAR_AGAIN_ALONE.has(x));
}
