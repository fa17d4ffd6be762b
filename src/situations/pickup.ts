import { isAutomatedSpeech, isHoldCue, isTransferCue, isVoicemailGreeting } from './cues.js';
import { plain } from './words.js';

// Who answered an outbound call, from the first words heard before the line's first pause. A person picking up
// says little and waits ("Hello?", "Iron Gym, this is Sam", "Front desk, how can I help you?", "Speaking."); a
// recording or an assistant introduces itself and goes on after a pause ("Thank you for calling Iron Gym." …
// "For membership, press 1."). The call machine greets at once only on a person's pickup; anything else waits for
// the line to settle or for its situation to be recognised. Phrases, not any persona's script: what receptionists
// and phone systems say (US/UK English, and Mexican and Spanish Spanish beside them, accents folded by the one
// tokeniser, as in cues.ts: a person who picks up in the other language is still a person, and the call switches),
// with table tests and near misses (test/situations/pickup.test.ts).

/** A hello: a person's, or a recording's that goes on ("Good morning, and thank you for calling"). */
const HELLO: readonly RegExp[] = [
  /^(hello|hi|hey|hiya|yeah|yes|yep|yello|hallo|howdy)\b/,
  /\bgood (morning|afternoon|evening|day)\b/,
  // Spanish: "¿Hola?", "¿Bueno?" (Mexico), "Diga" / "Dígame" (Spain), "¿Aló?", "¿Sí?", "Buenas tardes".
  /^(hola|bueno|diga|digame|alo|buenas)\b/,
  /^si( (hola|bueno|diga|digame|alo))?$/,
  /\bbuen(os|as) (dias|tardes|noches)\b/,
];
/** Only a person says these on picking up: her name, an offer to help, a question back. */
const PERSON_MARKERS: readonly RegExp[] = [
  /\bthis is [a-z]+\b/,
  /\b[a-z]+ speaking\b/,
  /^speaking$/,
  /\b(how|what) (can|may|could) (i|we) (help|do for you|assist)\b/,
  /\bhow can (i|we) be of (help|assistance)\b/,
  /\bwho('s| is) (this|calling)\b/,
  // Spanish: "habla Ana", "le habla Ana", "soy Ana", "¿en qué le puedo ayudar?", "¿quién habla?", "¿con quién hablo?".
  /\b(le )?habla [a-z]+\b/,
  /\bsoy [a-z]+\b/,
  /\b(en que|como) (le|les|lo|la) (puedo|podemos) (ayudar|servir|atender)\b/,
  /\bquien (habla|llama)\b/,
  /\bcon quien (hablo|tengo el gusto)\b/,
  /\bdigame\b|\bdiga$/,
];
/** Her desk: a person's pickup ("Front desk?"), but also what a voicemail greeting names ("You've reached the front desk."). */
const DESK = /\b(front|reception|membership|sales) desk\b|\b(recepcion|mostrador)\b/;

/**
 * A recording's or an assistant's words: an intro, a hold or legal announcement, a menu's preamble, a screening
 * assistant. "Thank you for calling" is here because recordings open with it; a receptionist who says it too also
 * says who she is or asks how to help (a person marker wins over it alone, see below).
 */
const RECORDING_INTRO: readonly RegExp[] = [
  /\bthanks? (you )?for (calling|contacting)\b/,
  /\bwelcome to\b/,
  // "has": the offline recogniser's reading of "have" after "you" ("you has reached the front desk").
  /\byou('ve| have| has) reached\b/,
  /\byou have (dialed|dialled|called)\b/,
  // Spanish: "gracias por llamar a…", "bienvenido a…", "se ha comunicado con…", "usted ha llamado a…".
  /\bgracias por (llamar|comunicarse|su llamada)\b/,
  /\bbienvenid[oa]s? a\b/,
  /\b(se ha|usted se ha) comunicado (a|con)\b/,
  /\b(usted )?ha (llamado|marcado) a\b/,
];
const RECORDING_ONLY: readonly RegExp[] = [
  /\bplease listen (carefully|closely)\b/,
  /\b(menu|our|the) options have (recently )?changed\b/,
  /\bif you know (your|the) (party's|partys|party|person's) extension\b/,
  /\bextension\b/,
  /\b(this|your) call (may|will|might) be (monitored|recorded)\b/,
  /\bfor (quality|training) (assurance|and training|purposes)\b/,
  /\b(press|dial)\b/,
  // "español" as the tokeniser writes it (letters a-z only).
  /\bpara espa( |n)ol\b/,
  /\b(automated|virtual|digital) (attendant|assistant|receptionist|system)\b/,
  /\bthe person you('re| are) calling\b/,
  /\bplease (say|state) your name\b/,
  /\b(our|the) (business |office )?hours are\b/,
  /\b(is|are) (currently )?closed\b/,
  // Spanish: the keypad's verbs, the extension, a quality notice (the recording notice is cues.ts's), an assistant, the hours, closed.
  /\b(marque|oprima|presione|pulse|digite)\b/,
  /\bextension\b/,
  /\b(para|por) (fines|motivos|razones) de (calidad|capacitacion|entrenamiento)\b/,
  /\b(asistente|recepcionista|operadora?) (virtual|automatic[oa]|digital)\b/,
  /\bnuestro horario (de atencion )?es\b/,
  /\b(estamos|esta) (cerrados?|fuera del horario)\b/,
];

/** Words of a business answering its phone: a pickup that is only the name ("Iron Gym?") is a person's. */
const BUSINESS_WORD =
  /\b(gym|fitness|club|studio|crossfit|athletic|athletics|health|wellness|yoga|pilates|boxing|training|gimnasio|estudio|deportivo)\b/;
/** Words of a gym's name that say nothing on their own (English and Spanish). */
const GENERIC = new Set(['the', 'a', 'an', 'of', 'and', 'at', 'on', 'in', 'el', 'la', 'los', 'las', 'de', 'del', 'y']);

/** Words a recording or an assistant says, never the first words of a person picking up on her own. */
export function soundsAutomated(text: string): boolean {
  const t = plain(text);
  return (
    isAutomatedSpeech(text) ||
    isHoldCue(text) ||
    isTransferCue(text) ||
    isVoicemailGreeting(text) ||
    RECORDING_ONLY.some((re) => re.test(t))
  );
}

/**
 * The words heard before the line's first pause sound like a person picking up, not a recording, an assistant or
 * words the recogniser has not made out: a short hello, her name or desk, an offer to help, or the gym's name
 * alone. `gymName` is the name we called (its words count as the business's). Empty or unclear words: false.
 */
export function soundsLikePickup(text: string, gymName = ''): boolean {
  const t = plain(text);
  const words = t.split(' ').filter((w) => w.length > 0);
  if (words.length === 0 || soundsAutomated(text)) return false;
  const person = PERSON_MARKERS.some((re) => re.test(t));
  // "Thank you for calling Iron Gym, this is Sam": a receptionist's script. The intro alone, even after a hello or
  // with a desk's name, is a recording's.
  if (RECORDING_INTRO.some((re) => re.test(t))) return person;
  const desk = DESK.test(t);
  // A person's first words are few; a long stretch without a pause is someone reading.
  if (person || desk || HELLO.some((re) => re.test(t))) return words.length <= 25;
  // A bare name answering the phone ("Iron Gym.", "Peak Fitness?"): short, and the business's.
  const names = new Set(
    plain(gymName)
      .split(' ')
      .filter((w) => w.length > 0 && !GENERIC.has(w)),
  );
  return words.length <= 4 && (BUSINESS_WORD.test(t) || words.some((w) => names.has(w)));
}
