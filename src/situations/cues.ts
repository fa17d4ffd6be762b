import type { SpokenOutcome } from '../../machines/outcomes.js';
import { isMenuPrompt } from './menu.js';
import { plain } from './words.js';

// What kind of speaker has the line, from its words: one lexicon per concept, each a list of patterns matched on
// the tokenised words (lower case, no punctuation), so a cloud recogniser's "Please hold." and the offline
// recogniser's "please hold" match alike. The call machine's guards use these (machines/), the interviewer and
// the simulator's checks too. Patterns are phrases a person or a recording says in that situation and rarely
// otherwise; each has table tests with near misses (test/situations/cues.test.ts).

export type Cue =
  | 'hold'
  | 'hold-ended'
  | 'voicemail'
  | 'mailbox-full'
  | 'screening'
  | 'transfer'
  | 'wrong-number'
  | 'not-a-gym'
  | 'permanently-closed'
  | 'do-not-call';

/** A queue's announcements: a hold cue, and words only a recording says (isAutomatedSpeech). */
const QUEUE_ANNOUNCEMENTS: readonly RegExp[] = [
  /\byour call is (very )?important to us\b/,
  /\bestimated wait time\b/,
  /\bsu llamada es (muy )?importante\b/,
  /\b(todos )?nuestros (agentes|representantes|asesores) (estan|se encuentran) ocupados\b/,
];

export const CUE_LEXICON: Readonly<Record<Cue, readonly RegExp[]>> = {
  hold: [
    ...QUEUE_ANNOUNCEMENTS,
    /\bplease (hold|wait)\b/,
    /\bhold (on|please)\b/,
    /\b(can|could|may|will) you (please )?hold\b/,
    /\b(one|just a|give me a|wait a|hang on a) (moment|second|sec|minute)\b/,
    /\ba (moment|second|sec|minute) please\b/,
    /\blet me (get|grab|find|fetch|check with) (the|a|my|our|someone|somebody)\b/,
    /\b(i'll|i will|let me) (put you on hold|get someone|get somebody)\b/,
    /\b(all of )?our (representatives|agents|staff|team members|associates) are (currently )?(busy|assisting|helping)\b/,
    /\bplease (stay|remain) on the line\b/,
    /\byou (are|are currently|have been placed) (on hold|in a queue|in the queue)\b/,
    /\bthe next available (representative|agent|associate|team member|staff member)\b/,
    // Spanish (accents folded by the tokeniser).
    /\b(espere|espereme|aguarde) (un|por) (momento|momentito|segundo|favor)\b/,
    /\b(un|un solo) (momento|momentito|segundito) por favor\b/,
    /\bno (cuelgue|se retire)\b/,
    /\bpermitame (un|comunicarle|buscar)\b/,
  ],
  'hold-ended': [
    /\bthanks? (you )?for (holding|waiting|your patience|hanging on)\b/,
    /\bsorry (about|for) the wait\b/,
    /\bsorry to keep you waiting\b/,
    /\b(are you )?still there\b/,
    /\bhow can i help( you)?\b/,
    /\bwhat can i (do|help you with)\b/,
    /\bthis is [a-z]+( speaking)?\b/,
    /\b(hi|hello|hey)\b/,
    // Her desk, as she picks up ("front desk?", "reception, Anna speaking").
    /\b(front|reception|membership|sales) desk\b|^reception\b/,
    /\bgracias por (esperar|su espera|su paciencia)\b/,
    /\bdisculpe la (espera|demora)\b/,
    /\b(hola|digame|bueno)\b/,
  ],
  voicemail: [
    /\bleave (a|your|me a|us a) (brief |short |detailed )?(message|voicemail|name and number)\b/,
    /\bafter the (tone|beep)\b/,
    /\bat the (tone|beep)\b/,
    /\b(is|are) (not|unable to) (available|come to the phone|take your call)\b/,
    /\b(isn't|aren't|not) available (right now|at the moment|to take your call)\b/,
    /\bcannot (take|answer) your call\b/,
    /\b(can't|can not) (take|answer|come to) (your call|the phone)\b/,
    /\bwe('ll| will) (get back to you|return your call|call you back) as soon as\b/,
    /\b(has been )?forwarded to an? (automated )?voice (messaging|mail) system\b/,
    /\bvoice ?mail (box )?(of|for)\b/,
    /\brecord your message\b/,
    /\bwhen you (are|have) finished recording\b/,
    /\bdeje (su|un) (mensaje|recado)\b/,
    /\bdespues (del tono|de la senal|del pitido)\b/,
    /\bbuzon de voz\b/,
    /\b(no esta|no estamos|no se encuentra) disponibles?\b/,
    /\bgrabe su mensaje\b/,
  ],
  'mailbox-full': [
    /\bmail ?box (is|was) full\b/,
    /\bmail ?box (is|was) (not set up|not been set up)\b/,
    /\bcannot (accept|take) (any )?(new |more )?messages\b/,
    /\b(not|no longer) accepting (new )?messages\b/,
    /\bbuzon (de voz )?(esta )?lleno\b/,
    /\bno (puede|acepta) (recibir )?(mas )?mensajes\b/,
  ],
  screening: [
    /\b(say|state) your name and (the reason|why) (you're|you are) calling\b/,
    /\bplease (say|state) (your name|who you are|who is calling)\b/,
    /\b(record|say|state|tell me) your name and (the )?reason (for|you're|you are) (your )?call(ing)?\b/,
    /\bwho('s| is) calling and (why|what)\b/,
    /\busing a (call )?screening service\b/,
    /\bthe person you('re| are) calling is using (a )?(call )?screening\b/,
    /\b(google|call) (assistant|screen)\b/,
    /\bi'm (a|an) (virtual|automated|digital) (assistant|receptionist)\b.*\b(screen|who|reason)\b/,
    /\bthis call is being (screened|recorded by a screening)\b/,
    /\bwhat are you calling about\b/,
    /\bstay on the line and (i'll|i will) (see|let them know)\b/,
    /\b(see|check) if (this|the) person is available\b/,
    /\b(diga|indique|mencione) su nombre\b/,
    /\bquien (llama|habla) y (por que|para que|el motivo)\b/,
    /\bel motivo de su llamada\b/,
  ],
  transfer: [
    /\b(let me|i'll|i will|i'm going to|i am going to|i can) (transfer|connect|put) you( through| over)?\b/,
    // The pronoun after the verb is what a recogniser garbles ("let me transfer using the manager"); the verb after
    // "let me" / "I'll" already says it.
    /\b(let me|i'll|i will) (transfer|connect)\b/,
    /\b(transferring|connecting) you( now| to)?\b/,
    /\bput you through\b/,
    /\bpass you (over )?to\b/,
    /\bplease hold (while|as) (i|we) (transfer|connect)\b/,
    /\b(le|lo|la) (transfiero|comunico|paso) (con|a)\b/,
    /\b(le|lo|la) voy a (transferir|comunicar|pasar)\b/,
    /\b(permitame|dejeme) (transferirle|comunicarle|pasarle)\b/,
  ],
  'wrong-number': [
    /\bwrong number\b/,
    /\b(there's|there is) no(body| one)( here)? (by|named|called) that\b/,
    /\bthis (is|isn't|is not) (not )?a (private|personal|residential) (number|residence|line)\b/,
    /\byou (must|might) have (dialed|dialled|called) the wrong\b/,
    /\bthis is (a )?(private residence|my (personal|cell|home) (number|phone))\b/,
    /\bnumero equivocado\b/,
    /\bse equivoco de numero\b/,
    /\besta es una casa particular\b/,
  ],
  'not-a-gym': [
    /\b(this|we) (is|are|'re) not a (gym|fitness|health club)\b/,
    /\b(this|we) (isn't|aren't) a (gym|fitness|health club)\b/,
    /\bwe('re| are) (a|an) (restaurant|pizzeria|dentist|dental|law|pharmacy|bank|hotel|salon|clinic|school|church|store|shop|office|bakery|bar|cafe)\b/,
    /\bwe don't have a gym\b/,
    // The line, said to be someone's business, as a sentence of its own ("no, this is a private business"; through
    // a recogniser "this to the private business"). Not "we're / it's a private business, we don't give prices"
    // (a gym keeping its prices), "this is a private company-run gym" or "the private office number". A private
    // number or residence is a wrong number.
    /\bthis( is| to) (a |the )?private (business|company|practice|office)\b(?! (number|line|run|owned|in|gym|upstairs|downstairs|where|that|for|we|so|and|but))/,
    /\bthis is (a|an) (restaurant|pizzeria|dentist|dental office|law office|pharmacy|bank|hotel|salon|clinic|school|church|bakery)\b/,
    /\b(esto|aqui) no es (un )?gimnasio\b/,
    /\bno somos (un )?gimnasio\b/,
  ],
  'permanently-closed': [
    // "closed?": recognisers drop the d before a consonant ("this gym has close permanently").
    /\b(we|the gym|the club|it|they) (closed?|shut) (down )?(for good|permanently)\b/,
    // Any subject: "this gym has closed permanently", "our location has shut down" (the recogniser may mishear it).
    /\b(has|have|'ve) (permanently )?(closed?|shut) (down|for good|permanently|its doors)\b/,
    /\bpermanently closed\b/,
    /\b(we're|we are|the gym is|it's|it is) (permanently )?(closed for good|out of business|no longer (open|operating|in business))\b/,
    /\bwent out of business\b/,
    /\bno longer a gym\b/,
    /\b(cerro|cerramos|cerraron) (definitivamente|para siempre)\b/,
    /\bcerrado (definitivamente|permanentemente|para siempre)\b/,
    /\bya no (existe|opera|es un gimnasio)\b/,
  ],
  // The gym does not want our calls: it goes on the do-not-call list and is never dialled again. Only a request
  // about being called ("don't call us", "take us off your list"), never a refusal of a topic ("we don't give
  // prices over the phone") or a busy moment ("can't talk right now").
  'do-not-call': [
    /\b(please )?(don't|do not|stop|quit) (ever )?(call|calling|phoning|ringing) (us|me|here|this number)\b/,
    /\b(take|remove|put|get) (us|me|this number|our number) (off|from|on) (your|the) (call(ing)? |contact |mailing |phone )?(list|do not call list)\b/,
    /\b(add|put) (us|me|this number|our number) (to|on) (your|the) do not call\b/,
    /\bdo not call list\b/,
    /\b(we|i) (don't|do not) want (any )?(more )?(your |these )?(calls|to be called)\b/,
    /\bnever call (us|me|here|this number) again\b/,
    /\b(stop|quit) (calling|bothering) (us|me)\b/,
    /\bno (nos|me) (vuelva|vuelvan) a llamar\b/,
    /\bno (nos|me) llamen? mas\b/,
    /\b(deje|dejen) de (llamar|molestar)(nos|me)?\b/,
    /\b(saque|sacar|quite|quitar|borre|borrar)(nos|me)? de su lista\b/,
  ],
};

/** The cues a text carries, in lexicon order. */
export function cuesIn(text: string): Cue[] {
  const t = plain(text);
  return (Object.keys(CUE_LEXICON) as Cue[]).filter((c) => CUE_LEXICON[c].some((re) => re.test(t)));
}

const has = (cue: Cue) => (text: string) => CUE_LEXICON[cue].some((re) => re.test(plain(text)));

/** "Please hold", "one moment", "let me get the manager", "your call is important to us". */
export const isHoldCue = has('hold');
/**
 * Words that, heard while on hold, mean a person took the line ("hi, thanks for holding"). Only meaningful in the
 * hold state: a greeting alone is a person only when it is not also a recording's announcement.
 */
export function isHoldEnded(text: string): boolean {
  return has('hold-ended')(text) && !isHoldCue(text) && !isVoicemailGreeting(text) && !isMenuPrompt(text);
}
/**
 * "Press 1 to leave a message", "to leave a voicemail, press 2": an option of a queue's announcement or a menu, not
 * a greeting that is already taking the message.
 */
const KEY_FOR_A_MESSAGE = new RegExp(
  [
    String.raw`\b(press|dial|select) [a-z0-9]+ (to|and) leave (a|your|us a) (brief |short )?(message|voicemail)\b`,
    String.raw`\b(to|if you (would|wish to|want to) like to|if you wish to|if you want to) leave (a|your|us a) ` +
      String.raw`(message|voicemail) (please )?(press|dial|select) [a-z0-9]+\b`,
    String.raw`\bfor (voice ?mail|a message) (please )?(press|dial|select) [a-z0-9]+\b`,
  ].join('|'),
  'g',
);

/** A voicemail greeting: "leave a message", "after the tone", "not available", and a full mailbox. */
export function isVoicemailGreeting(text: string): boolean {
  const greeting = plain(text).replace(KEY_FOR_A_MESSAGE, ' ');
  return has('voicemail')(greeting) || has('mailbox-full')(greeting);
}
export const isMailboxFull = has('mailbox-full');
/** A call-screening assistant (Google Call Screen, iOS call screening, a virtual receptionist) asks who is calling. */
export const isScreening = has('screening');
/** "Let me transfer you", "I'll put you through". */
export const isTransferCue = has('transfer');
export const isWrongNumber = has('wrong-number');
export const isNotAGym = has('not-a-gym');
export const isPermanentlyClosed = has('permanently-closed');
/** "Please don't call us again", "take us off your list". */
export const isDoNotCall = has('do-not-call');

/**
 * The outcome a person's words give the call by themselves, most binding first: a request not to be called again
 * ("wrong number, and don't call us again" must still be listed), then a wrong number, not a gym, closed for good.
 */
export function spokenOutcomeIn(text: string): SpokenOutcome | undefined {
  if (isDoNotCall(text)) return 'do-not-call';
  if (isWrongNumber(text)) return 'wrong-number';
  if (isNotAGym(text)) return 'not-a-gym';
  if (isPermanentlyClosed(text)) return 'permanently-closed';
  return undefined;
}

/** A queue's or a legal announcement, in English and Spanish (accents folded). */
const ANNOUNCEMENT: readonly RegExp[] = [
  ...QUEUE_ANNOUNCEMENTS,
  /\b(all of )?our (representatives|agents) are (currently )?(busy|assisting)\b/,
  /\bthis call may be (monitored|recorded)\b/,
  /\btiempo (estimado|aproximado) de espera\b/,
  // "Esta llamada puede ser grabada (y monitoreada) …", "su llamada podrá ser monitoreada".
  /\b(esta|su) llamada (puede|podra|va a|sera) (ser )?(grabada|monitoreada)\b/,
];

/**
 * Words a recording or an assistant spoke, never a person answering a question: a phone tree's menu, a hold
 * announcement, a voicemail greeting, a screening assistant. No fact is ever recorded from them, even when they
 * say the hours ("our hours are six to ten; for membership press 2"). The machine also knows by its state; this
 * is the words' own test, for the first words of a call before any state has been decided.
 */
export function isAutomatedSpeech(text: string): boolean {
  return (
    isMenuPrompt(text) ||
    isVoicemailGreeting(text) ||
    isScreening(text) ||
    ANNOUNCEMENT.some((re) => re.test(plain(text)))
  );
}
