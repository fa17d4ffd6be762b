import { normalize, parseNumber } from '../facts/numbers.js';
import { CURRENCY } from '../facts/parse-prices.js';
import { sayGymName } from '../facts/say.js';
import { spanishTokens } from '../facts/spanish.js';
import { CLASS_WORDS, DAY_WORDS, PLAN_WORDS } from '../facts/vocabulary.js';
import type { Language } from '../language/index.js';
import { AMENITIES, AMENITIES_ES } from './intent.js';
import { CLASS_ES, classNameEs, planNameEs, sayAmountEs } from './lines-es.js';
import { sayAmount } from './lines.js';
import type { DeskKnowledge } from './knowledge.js';

// The front desk guard's words (guard.ts holds the guarantee): the phrasings of "I don't know", where a clause ends,
// the policy words and courtesy phrases, and the closed vocabulary every sentence that is not the desk's own must
// keep to. It reads words only; the claim checks are guard-claims.ts's.

export const UNKNOWN =
  /\bi (?:don't|do not|dont) (?:know|have)\b|\bi'm not sure\b|\bi am not sure\b|\bi (?:can't|cannot) (?:say|tell|confirm)\b|\bno information\b/;
// Spanish on folded words, where "no sé" and the reflexive "no se" are one spelling: only "I don't know" phrasings
// ("no sé si", "no lo sé", "no sé qué ..."), "I don't have that information / our hours / the price", never a
// denial ("no tenemos piscina" is a claim) or "no se preocupe".
export const UNKNOWN_ES = new RegExp(
  [
    '\\bno (?:lo )?se(?: (?:si|que|cual|cuales|cuando|cuanto|cuanta|cuantos|cuantas|como|donde|nuestro|nuestros|nuestra|nuestras|exactamente)\\b|\\s*(?:[,.;!?]|$))',
    '\\bno lo se\\b',
    '\\bno (?:tengo|dispongo de|cuento con) (?:(?:esa|esta|la|el|los|las|ese|nuestro|nuestros|nuestra|nuestras|ninguna|mas) )?(?:informacion|datos?|horarios?|precios?|lista)\\b',
    '\\bno sabria\\b',
    '\\bdesconozco\\b',
    '\\bno estoy segur[oa]\\b',
    '\\bno (?:le |te )?puedo (?:decir|confirmar)',
    '\\bsin informacion\\b',
    '\\bno hay informacion\\b',
  ].join('|'),
);
// Where a clause ends: the part of a sentence that says it does not know ends there, and what follows is checked.
export const CLAUSE_END = /([,;]|(?<!\d):(?!\d)|\s[-–—]+\s|\s(?:but|and|pero|y)\s)/;
export const NUMBERISH = new Set([
  'half',
  'quarter',
  'cents',
  'pence',
  'media',
  'medio',
  'cuarto',
  'centavos',
  'hundred',
]);
export const isCurrency = (w: string | undefined): boolean => w !== undefined && CURRENCY[w] !== undefined;

// Words of a claim that the stored facts never hold (policies, terms, place): any one outside a clause that says it
// does not know is an unverifiable claim. Courtesy uses are taken out first ("you're welcome", "feel free").
export const POLICY_EN =
  /\b(?:contracts?|cancel\w*|any ?time|includ\w*|free|trials?|welcome|kids?|child|children|ages?|address|street|avenue|road|boulevard|located|locations?|downtown|minimum|commitments?|refunds?|guests?|unlimited|waivers?|promo\w*|deals?|fees?|sign ?up|join\w*|members only|wheelchair|accessible)\b/;
export const POLICY_ES =
  /\b(?:contratos?|cancel\w*|permanencia|inclu\w*|gratis|gratuit[oa]s?|prueba|bienvenid[oa]s?|ninos?|ninas?|menores|edad|direccion|calle|avenida|ubicad[oa]s?|ubicacion|sucursal\w*|minimo|reembolsos?|invitad[oa]s?|ilimitad[oa]s?|promocion\w*|ofertas?|cuotas?|matricula|inscri\w*)\b/;

// Phrases whose words would otherwise be claims: "you're welcome", "welcome to Iron Temple", "de nada". One list a
// language: the closed vocabulary takes them out before it reads a clause, the policy check before it reads policy
// words. ("Con gusto" is not one: neither of its words is a policy word, and both are on the closed vocabulary.)
const COURTESY_LIST_EN = ["you'?re welcome", 'you are welcome', 'welcome to', 'welcome back', 'feel free'];
const phrases = (list: readonly string[]): RegExp => new RegExp(`\\b(?:${list.join('|')})\\b`, 'g');
export const COURTESY_PHRASES_EN = phrases(COURTESY_LIST_EN);
export const COURTESY_PHRASES_ES = /\b(?:de nada|bienvenid[oa]s? a)\b/g;
// The policy check also takes out "free to" ("you're free to ask": not a price), on purpose not the closed
// vocabulary: "free" is on none of its lists, so "it's free to try" is still stopped there ('words').
export const POLICY_COURTESY_EN = phrases([...COURTESY_LIST_EN, 'free to']);

// Days in courtesy, not claims: "how can I help you today?", "have a great weekend", "¿en qué le puedo ayudar hoy?".
export const COURTESY_DAYS_EN =
  /\b(?:(?:help|assist|do for) you(?: with)? (?:today|tonight)|(?:have|enjoy) (?:a|the|your) (?:great|good|nice|lovely|wonderful) (?:day|evening|night|weekend))\b/g;
export const COURTESY_DAYS_ES =
  /\b(?:ayudar(?:le|te)? (?:hoy|esta noche)|buen(?:a)? (?:dia|día|noche|fin de semana))\b/g;

// The closed vocabulary (issue 19: "it never invents a fact"). A sentence that is not one of the desk's own must,
// besides passing the claim checks (guard-claims.ts), be made only of words on these lists: words that cannot state a
// fact of the gym on their own (function words, pronouns, auxiliaries, what a receptionist says to help, to take a
// message or to put a caller through), the words the claim checks read and verify (days, times, numbers, amounts,
// periods, open/closed, plans and classes as kinds), and the words the stored facts themselves hold (the gym's name,
// its plans' and classes' names and schedules, its currencies, the coming holidays' names). A clause that says it does
// not know may also name what it does not know: the caller's own words, or an amenity, class or plan word. Anything
// else ("rooftop", "terrace", "late", "easy", "certified", "terraza") is a claim the guard cannot verify, so the
// sentence is stopped: when in doubt, block.
const COURTESY_WORDS_EN = wordSet(`
  a an the and or but if so to of for in on at by with about from as into than then that this these those it its
  it's is are was were be been being am i i'm i'll i've i'd me my you you're you'll you've you'd your yours
  yourself we we're we'll we've we'd our us they they're they'll their them someone somebody anyone anybody
  anything something nothing nobody what what's which who when where why how whether there there's here that's
  let let's do does did doing done don't doesn't didn't can can't cannot could couldn't will won't would wouldn't
  should may might must have has had haven't hasn't isn't aren't wasn't not no yes yeah yep please just now right
  also too else more any some up out back again well very really still okay ok sure of course certainly absolutely
  great good perfect wonderful lovely nice fine happy glad excellent sorry apologies apologize afraid unfortunately
  thank thanks hello hi hey goodbye bye care moment second hold holding wait waiting help helping assist assistance
  question questions message messages note take taking took leave leaving pass passed passing along transfer
  transferring connect connecting put putting through staff person manager desk front reception receptionist
  automated call calls calling called number name reason phone line check checking look looking find know
  information info details answer tell say give get gets got able understand understood catch hear repeat speak
  speaking talk reach like want need ask asking wondering hope enjoy soon shortly list regarding exactly correct
  alright sounds thing problem while
`);
const COURTESY_WORDS_ES = wordSet(`
  que en por para se le les me te nos su sus nuestro nuestra nuestros nuestras mi mis esa ese eso esta este esto
  usted ustedes yo algo mas nada alguien alguna alguno algun otra otro ayudar ayudarle ayuda ayudo puedo puede
  pueda podemos podria quiere quisiera gustaria gracias muchas gusto favor momento segundo espere permitame
  permita dejeme deje revisar reviso verificar verifico consultar consulto mensaje recado tomar tomo tomarle tome
  dejar personal persona encargado encargada gerente recepcion automatica comunicar comunico comunicarle paso
  pasar pasarle transferir transfiero llamar llamada llamarle llamando devolver devolveran numero nombre
  informacion datos saber sabe siento disculpe disculpa perdon lamento supuesto luego bueno buenas buenos buen
  buena dias tardes noches hola hay estoy estamos soy tengo tiene hacer decir digo preguntar pregunta preguntas
  entiendo entendi oigo repetir necesita necesito desea ahora ya aqui ahi sigue pronto vez nuevo tambien muy bien
  perfecto excelente genial encantado encantada cual cuando como donde quien cuanto sobre acerca no ni porque
  lista asi cierto seguro segura atender atenderle servirle tenga hablar habla
`);
// What the claim checks read and verify: hours, days, times, amounts, periods, and plans and classes as kinds.
const FACT_FRAME = wordSet(`
  open opens opening close closes closing closed until till til between except hours hour am pm noon midnight
  oclock morning afternoon evening night half past quarter every each daily weekday weekdays weekend weekends week
  day days month months year years per monthly annual annually yearly weekly visit drop membership memberships
  plan plans pass passes price prices cost costs cents cent pence centavos holiday holidays class classes offer
  offers horario horarios precios planes semana dia
  ${Object.keys(CURRENCY).join(' ')} ${Object.values(DAY_WORDS).flat().join(' ')}
`);
// Praise is courtesy only where courtesy puts it ("Great!", "have a great day", "I'd be happy to", "sounds good"),
// never said of the gym ("our staff are great", "the classes are nice").
const PRAISE = wordSet(
  'great good perfect wonderful lovely nice fine happy glad excellent genial perfecto excelente buen buena buenos buenas',
);
const PRAISE_AFTER = wordSet("a that's sounds i'm tenga");
/** Praise where courtesy puts it: first in its clause, after "a", "that's", "sounds", "I'm", "I'd be", "we're happy". */
function courtesyPraise(c: readonly string[], j: number): boolean {
  const [before, w] = [c[j - 1] ?? '', c[j] ?? ''];
  if (j === 0 || PRAISE_AFTER.has(before)) return true;
  if (before === 'be') return ["i'd", "i'll", "we'd", "we'll"].includes(c[j - 2] ?? '');
  return ["we're", "we'd", "we'll"].includes(before) && (w === 'happy' || w === 'glad');
}
// "We're open now", "we're opening soon": when the desk is open is the claim checks' business, and they know days,
// not the time of day now. Such a word in a clause of hours is stopped.
const WHEN = wordSet('now soon shortly still again right ahora pronto todavia');
const HOURS_WORDS = wordSet('open opens opening close closes closing closed until till');
// "We don't have yoga", "we don't sell day passes": a denial of a stored class or plan the claim checks would read
// as naming it. A negation beside a class or plan outside a clause that says it does not know is stopped, unless it
// speaks of the desk's list ("it isn't on the class list I have").
const NEGATION = wordSet("not no never don't doesn't isn't aren't won't can't cannot nunca");

function wordSet(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ''));
}

/** Whether a token is a number the claim checks read (a digit run, "forty", "nine", "hundred"). */
const isNumberWord = (w: string): boolean => /^\d+$/.test(w) || NUMBERISH.has(w) || parseNumber([w], 0) !== undefined;

interface Vocabulary {
  /** Every word a sentence of this desk may hold outside a clause that says it does not know. */
  readonly words: ReadonlySet<string>;
  /** The words that name a class or a plan (stored or as kinds): a negation beside one is a denial. */
  readonly offers: ReadonlySet<string>;
}

const VOCABULARY = new WeakMap<DeskKnowledge, Map<Language, Vocabulary>>();

/** This gym's vocabulary in this language: the lists above and the words its stored facts hold, read as sentences are. */
function vocabularyOf(k: DeskKnowledge, language: Language): Vocabulary {
  let byLanguage = VOCABULARY.get(k);
  if (byLanguage === undefined) VOCABULARY.set(k, (byLanguage = new Map()));
  let v = byLanguage.get(language);
  if (v === undefined) {
    const es = language === 'es';
    const read = (x: string): string[] => (es ? spanishTokens(x) : normalize(x));
    const plans = k.pricing.flatMap((p) => [p.plan, ...(es ? [planNameEs(p.plan)] : [])]);
    const classes = k.classes.flatMap((c) => {
      const vocab = CLASS_WORDS.find((w) => w.name === c.name.toLowerCase());
      return [
        c.name,
        ...(vocab === undefined ? [] : [vocab.spoken, ...vocab.aliases]),
        ...(es ? [classNameEs(c.name)] : []),
      ];
    });
    const stored = [
      k.gymName,
      sayGymName(k.gymName) ?? '',
      ...plans,
      ...classes,
      ...k.classes.map((c) => c.schedule ?? ''),
      ...k.pricing.map((p) => (es ? sayAmountEs(p.amountMinor, p.currency) : sayAmount(p.amountMinor, p.currency))),
      ...k.holidays.map((h) => h.name[language]),
    ].flatMap(read);
    const words = new Set([...COURTESY_WORDS_EN, ...(es ? COURTESY_WORDS_ES : []), ...FACT_FRAME, ...stored]);
    const offers = new Set([...plans, ...classes].flatMap(read));
    for (const w of ['class', 'classes', 'membership', 'memberships', 'plan', 'plans', 'pass', 'passes']) offers.add(w);
    v = { words, offers };
    byLanguage.set(language, v);
  }
  return v;
}

/** What a clause that says it does not know may name besides the vocabulary: amenities, classes, plans. */
const TOPIC_WORDS: Readonly<Record<Language, ReadonlySet<string>>> = {
  en: new Set([...AMENITIES, ...CLASS_WORDS.flatMap((c) => [c.name, ...c.aliases]), ...PLAN_WORDS].flatMap(normalize)),
  es: new Set(
    [...AMENITIES_ES, ...Object.values(CLASS_ES), ...CLASS_WORDS.map((c) => c.name), ...PLAN_WORDS].flatMap(
      spanishTokens,
    ),
  ),
};

/**
 * Whether the sentence says something in words outside the closed vocabulary (see above), praises the gym, says
 * "now" of its hours or denies a class or plan: `text` as the claim checks read it (lower case, weekdays named, the
 * gym's name and the caller's number taken out). `allowed`: words the desk stored in this call (a message's name).
 */
export function unlisted(
  text: string,
  k: DeskKnowledge,
  language: Language,
  callerWords: ReadonlySet<string>,
  allowed: ReadonlySet<string>,
): boolean {
  const es = language === 'es';
  const tokensOf = (x: string): string[] => (es ? spanishTokens(x) : normalize(x));
  const v = vocabularyOf(k, language);
  const parts = text.replace(es ? COURTESY_PHRASES_ES : COURTESY_PHRASES_EN, ' ').split(CLAUSE_END);
  return parts.some((part, i) => {
    if (i % 2 === 1) return false; // the cut itself: punctuation, but/and/pero/y
    const unknown = (es ? UNKNOWN_ES : UNKNOWN).test(part);
    const c = tokensOf(part);
    const listed = (w: string): boolean =>
      v.words.has(w) ||
      isNumberWord(w) ||
      allowed.has(w) ||
      (unknown && (callerWords.has(w) || TOPIC_WORDS[language].has(w)));
    if (!c.every(listed)) return true;
    if (c.some((w, j) => PRAISE.has(w) && !courtesyPraise(c, j))) return true;
    if (c.some((w) => WHEN.has(w)) && c.some((w) => HOURS_WORDS.has(w))) return true;
    const ofTheList = c.includes('list') || c.includes('lista');
    return !unknown && !ofTheList && c.some((w) => NEGATION.has(w)) && c.some((w) => v.offers.has(w));
  });
}
