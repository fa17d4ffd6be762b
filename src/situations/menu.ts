import { conceptOf } from './menu-concepts.js';
import { repairKeys } from './menu-keys.js';
import { BOUNDARY, findPhrase, tokens } from './words.js';

// Phone-tree prompts as options. A menu says each option in one of two orders, "press 2 for membership" (key
// first) or "for membership, press 2" (label first), usually the same order throughout one sentence. The parser
// finds every key anchor (press / dial / enter / select / say or press + a key), then reads the words between the
// anchors as labels in whichever order fits the sentence: label first when the sentence opens with words before
// its first anchor, key first when it ends with words after its last one. Punctuation from a cloud recogniser
// splits sentences; the offline recogniser's unpunctuated words are one sentence.

export type Key = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#';

export interface MenuOption {
  readonly key: Key;
  /** The option's words without its introducer ("membership", "all other inquiries", "the front desk"). */
  readonly label: string;
}

export interface Menu {
  readonly options: readonly MenuOption[];
  /** "If you know your party's extension, dial it now": the menu takes extensions (we never know one). */
  readonly extensionPrompt: boolean;
  /** "Or stay on the line": doing nothing is itself a way through. */
  readonly stayOnLine: boolean;
  /**
   * The words fit both orders with different options (a menu cut off mid-way, or a label-first menu whose "for"
   * was lost: "on billing press one … press three for memberships"): the order was guessed, so nothing is pressed
   * before the menu has finished.
   */
  readonly ambiguous: boolean;
  /** When ambiguous: the options in the other order (a remembered menu may recognise itself in either). */
  readonly otherReading?: readonly MenuOption[];
}

const KEY_WORDS: Readonly<Record<string, Key>> = {
  zero: '0',
  oh: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  star: '*',
  asterisk: '*',
  pound: '#',
  hash: '#',
  // Spanish (accents folded by the tokeniser): "marque dos", "oprima asterisco".
  cero: '0',
  uno: '1',
  dos: '2',
  tres: '3',
  cuatro: '4',
  cinco: '5',
  seis: '6',
  siete: '7',
  ocho: '8',
  nueve: '9',
  asterisco: '*',
  numeral: '#',
  gato: '#',
};
// Homophones a recogniser writes for a key word right after "press": "press to for membership" is "press two".
const KEY_HOMOPHONES: Readonly<Record<string, Key>> = { to: '2', too: '2', for: '4', fore: '4', won: '1', ate: '8' };
// Words that may follow a homophone when it really is the key (another option, the end, a label introducer).
const AFTER_KEY = new Set([
  BOUNDARY,
  'for',
  'to',
  'if',
  'or',
  'and',
  'now',
  'please',
  'press',
  'dial',
  'at',
  'para',
  'si',
]);
// The verbs that ask for a key; "say or press" and "press or say" are folded to one anchor.
const VERBS = new Set([
  'press',
  'dial',
  'enter',
  'push',
  'select',
  'choose',
  'touch',
  'pressing',
  'dialing',
  'dialling',
  'marque',
  'marca',
  'oprima',
  'oprime',
  'presione',
  'presiona',
  'pulse',
  'pulsa',
  'digite',
  'teclee',
  'seleccione',
]);
// Fillers between the verb and the key: "press the number 2", "select option 2", "press the 2 key".
const KEY_FILLERS = new Set(['the', 'number', 'option', 'key', 'button', 'el', 'la', 'tecla', 'numero', 'opcion']);
const AFTER_KEY_FILLERS = new Set(['key', 'sign', 'button', 'now', 'please', 'ahora']);

interface Anchor {
  readonly key: Key;
  /** First token of the anchor ("say" of "say or press 2"). */
  readonly start: number;
  /** Token after the anchor. */
  readonly end: number;
}

function keyAt(toks: readonly string[], i: number): { key: Key; next: number } | undefined {
  const t = toks[i];
  if (t === undefined) return undefined;
  if (/^[0-9]$/.test(t)) return { key: t as Key, next: i + 1 };
  const k = KEY_WORDS[t];
  if (k !== undefined) return { key: k, next: i + 1 };
  const h = KEY_HOMOPHONES[t];
  const after = toks[i + 1];
  if (h !== undefined && (after === undefined || AFTER_KEY.has(after) || KEY_WORDS[after] !== undefined)) {
    return { key: h, next: i + 1 };
  }
  return undefined;
}

function anchors(toks: readonly string[]): Anchor[] {
  const out: Anchor[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as string;
    let start = i;
    let j: number;
    if (t === 'say' && toks[i + 1] === 'or' && VERBS.has(toks[i + 2] ?? '')) j = i + 3;
    else if (VERBS.has(t)) j = toks[i + 1] === 'or' && toks[i + 2] === 'say' ? i + 3 : i + 1;
    else continue;
    // "Dial extension 104" or "dial it now" name no menu key.
    while (KEY_FILLERS.has(toks[j] ?? '')) j++;
    const k = keyAt(toks, j);
    if (k === undefined) continue;
    let end = k.next;
    while (AFTER_KEY_FILLERS.has(toks[end] ?? '')) end++;
    // A multi-digit number ("dial 104") is an extension, not a menu key.
    if (/^[0-9]/.test(toks[k.next] ?? '')) continue;
    if (i > 0 && out.length > 0 && (out[out.length - 1] as Anchor).end > start)
      start = (out[out.length - 1] as Anchor).end;
    out.push({ key: k.key, start, end });
    i = end - 1;
  }
  return withLostVerbs(toks, out);
}

/**
 * "Press one for personal training, press two for the front desk" heard "press one for personal trainer name can't
 * to for the front desk": the second option's verb was lost. In a key-first sentence, after an option already
 * heard, a key word right before "for" opens an option of its own, unless the sentence names that key already.
 */
function withLostVerbs(toks: readonly string[], found: readonly Anchor[]): Anchor[] {
  if (!found.some((a) => INTRODUCERS.has(toks[a.end] ?? ''))) return [...found];
  const keys = new Set(found.map((a) => a.key));
  const out = [...found];
  for (let i = 1; i < toks.length; i++) {
    if (toks[i + 1] !== 'for' && toks[i + 1] !== 'para') continue;
    if (!found.some((a) => a.end <= i) || found.some((a) => i >= a.start && i < a.end)) continue;
    const k = keyAt(toks, i);
    if (k === undefined || keys.has(k.key)) continue;
    keys.add(k.key);
    out.push({ key: k.key, start: i, end: i + 1 });
  }
  return out.sort((a, b) => a.start - b.start);
}

// Words that open a label ("for membership", "to speak to a representative", "if you are a new member").
const INTRODUCERS = new Set(['for', 'to', 'if', 'para', 'si']);
// Courtesy phrases whose "for"/"to" open no option.
const COURTESY = [
  // "thank you for calling", also as the recogniser may hear its start ("and give for calling").
  'for calling',
  'thank you for choosing',
  'thank you for holding',
  'thank you for your patience',
  'welcome to',
  "you've reached",
  'you have reached',
  'gracias por llamar',
  'bienvenido a',
  'bienvenidos a',
  'ha llamado a',
  'se ha comunicado con',
];
// Clauses before the first option that open none ("if you know your party's extension, dial it now").
const PREAMBLE_ENDS = [
  'dial it now',
  'dial it at any time',
  'at any time',
  'menu options have changed',
  'options have changed',
  'may be recorded',
  'monitored or recorded',
  'training purposes',
  'quality purposes',
  'quality assurance',
];
const LEADING_NOISE = new Set(['or', 'and', 'please', 'now', 'otherwise', 'else', 'then', 'also', 'o', 'y', 'ahora']);
const LEADING_LABEL = new Set([
  'for',
  'to',
  'the',
  'a',
  'an',
  'our',
  'your',
  'para',
  'el',
  'la',
  'los',
  'las',
  'su',
  'sus',
]);
const LABEL_LEADS = [
  'if you would like to',
  "if you'd like to",
  'if you want to',
  'if you wish to',
  'if you are',
  "if you're",
  'if you',
  'si usted desea',
  'si desea',
  'si quiere',
  'si es',
];

function cleanLabel(words: readonly string[]): string {
  let w = words.filter((x) => x !== BOUNDARY);
  while (w.length > 0 && LEADING_NOISE.has(w[0] as string)) w = w.slice(1);
  // "For membership say membership or press 2": the spoken alternative, "say … or" before the key, is no part of
  // the label. Without its "or" a "say" is more likely a misheard word ("… Peak Fitness. For billing, press 1"
  // heard "say noon on billing press one"): the words after it stay.
  const alternative = w[w.length - 1] === 'or';
  while (w.length > 0 && (LEADING_NOISE.has(w[w.length - 1] as string) || w[w.length - 1] === 'say')) {
    w = w.slice(0, -1);
  }
  const say = w.indexOf('say');
  if (say > 0 && alternative) w = w.slice(0, say);
  let s = w.join(' ');
  for (const lead of LABEL_LEADS) if (s.startsWith(`${lead} `)) s = s.slice(lead.length + 1);
  w = s.split(' ').filter((x) => x.length > 0);
  while (w.length > 1 && LEADING_LABEL.has(w[0] as string)) w = w.slice(1);
  return w.join(' ');
}

/** A sentence's opening words after any courtesy phrase or preamble clause. */
function afterPreamble(words: readonly string[]): string[] {
  let from = 0;
  for (const c of [...COURTESY, ...PREAMBLE_ENDS]) {
    const at = findPhrase(words, c);
    if (at >= 0) from = Math.max(from, at + c.split(' ').length);
  }
  return words.slice(from);
}

/** The label of the first option in a sentence's opening words: after any courtesy phrase, from its introducer. */
function openingLabel(words: readonly string[]): string[] {
  const rest = afterPreamble(words);
  const i = rest.findIndex((w) => INTRODUCERS.has(w));
  return i < 0 ? [] : rest.slice(i);
}

/** The label of the last option in a sentence's closing words: up to "or stay on the line" / the next sentence. */
function closingLabel(words: readonly string[]): string[] {
  const stay = [
    'or stay on the line',
    'or remain on the line',
    'or hold',
    'stay on the line',
    'o permanezca en la linea',
    'o espere en la linea',
  ];
  let end = words.length;
  for (const s of stay) {
    const at = findPhrase(words, s);
    if (at >= 0) end = Math.min(end, at);
  }
  return words.slice(0, end);
}

interface SentenceReading {
  readonly options: MenuOption[];
  readonly ambiguous: boolean;
  /** The reading in the other order, when the words fit both. */
  readonly other?: MenuOption[];
}

function sentenceOptions(toks: readonly string[]): SentenceReading {
  const as = anchors(toks);
  const first = as[0];
  const last = as[as.length - 1];
  if (first === undefined || last === undefined) return { options: [], ambiguous: false };
  const gaps = as.map((a, i) => toks.slice(i === 0 ? 0 : (as[i - 1] as Anchor).end, a.start));
  const head = openingLabel(toks.slice(0, first.start));
  const tail = closingLabel(toks.slice(last.end));
  const read = (labelFirst: boolean, opening: readonly string[] = head): MenuOption[] =>
    as.map((a, i) => {
      let words: readonly string[];
      if (labelFirst) words = i === 0 ? opening : (gaps[i] as string[]);
      else words = i === as.length - 1 ? tail : (gaps[i + 1] as string[]);
      return { key: a.key, label: cleanLabel(words) };
    });
  // Label first when the sentence opens with an option's words before its first key; key first otherwise.
  if (head.length === 0) {
    // No introducer heard before the first key, yet nothing after the last one: the recogniser lost the "for" of
    // "for billing, press 1" ("or billing press two"). Key first would leave the last key without a label and
    // give every other key its neighbour's, so the reading naming more known kinds of option wins.
    const opening = afterPreamble(toks.slice(0, first.start));
    if (opening.length === 0) return { options: read(false), ambiguous: false };
    const keyFirst = read(false);
    const labelFirst = read(true, opening);
    const labelFirstWins = knownLabels(labelFirst) > knownLabels(keyFirst);
    if (cleanLabel(tail) === '' && as.length > 1)
      return { options: labelFirstWins ? labelFirst : keyFirst, ambiguous: false };
    // Words before the first key and after the last: key first fits, and so does a label-first menu whose opening
    // "for" was lost and whose next key is still to come ("per member services press two you": one key, and only
    // the words before it name a kind of option). Key first unless label first names more known kinds.
    if (labelFirstWins) return { options: labelFirst, ambiguous: true, other: keyFirst };
    const ambiguous = as.length > 1;
    return { options: keyFirst, ambiguous, ...(ambiguous ? { other: labelFirst } : {}) };
  }
  const tailOpensLabel = tail.length > 0 && INTRODUCERS.has(tail[0] as string) && as.length > 1;
  if (!tailOpensLabel) return { options: read(true), ambiguous: false };
  // Words before the first key and after the last both open a label: "to better serve you, press 1 for billing,
  // press 2 for membership" (key first), or a label-first menu heard up to the next option's words, "for billing
  // press 1 for careers press 2 for memberships" (its key still to come). Shifting every label by one option
  // would press the wrong key, so the reading whose labels name more known kinds of option wins; a tie keeps the
  // label-first reading, whose first label opens the sentence.
  const labelFirst = read(true);
  const keyFirst = read(false);
  const keyFirstWins = knownLabels(keyFirst) > knownLabels(labelFirst);
  return {
    options: keyFirstWins ? keyFirst : labelFirst,
    ambiguous: true,
    other: keyFirstWins ? labelFirst : keyFirst,
  };
}

function knownLabels(options: readonly MenuOption[]): number {
  return options.filter((o) => conceptOf(o.label).concept !== 'unknown').length;
}

function split(toks: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const t of toks) {
    if (t === BOUNDARY) out.push([]);
    else (out[out.length - 1] as string[]).push(t);
  }
  return out.filter((s) => s.length > 0);
}

const EXTENSION = /\b(extension|party's extension|extension number)\b/;
const STAY = /\b(stay|remain) on the line\b|\bor hold\b/;

/**
 * The options a menu prompt offers, in the order heard; one option per key (a later mention of a key wins), a key
 * misheard for two options put back where the menu's order says (menu-keys.ts).
 */
export function parseMenu(text: string): Menu {
  const readings = split(tokens(text)).map(sentenceOptions);
  const joined = tokens(text).join(' ');
  return {
    options: oneOptionPerKey(readings.flatMap((r) => r.options)),
    extensionPrompt: EXTENSION.test(joined) && /\b(dial|enter|press)\b/.test(joined),
    stayOnLine: STAY.test(joined),
    ambiguous: readings.some((r) => r.ambiguous),
    ...(readings.some((r) => r.other !== undefined)
      ? { otherReading: oneOptionPerKey(readings.flatMap((r) => r.other ?? r.options)) }
      : {}),
  };
}

function oneOptionPerKey(options: readonly MenuOption[]): MenuOption[] {
  const byKey = new Map<Key, MenuOption>();
  for (const o of repairKeys(options)) byKey.set(o.key, o);
  return [...byKey.values()];
}

/** Does this text offer at least one key? The cue that a phone tree is speaking. */
export function isMenuPrompt(text: string): boolean {
  const m = parseMenu(text);
  return m.options.length > 0 || m.extensionPrompt;
}
