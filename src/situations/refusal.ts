import type { Topic } from '../facts/model.js';
import { topicMentions } from '../../machines/topic-words.js';
import { websiteIn } from './website.js';
import { BOUNDARY, plain, tokens } from './words.js';

// A gym that will not answer a topic on the phone: "we don't give prices over the phone", "it's all on the
// website", "you'd have to come in". Each refused topic is recorded once with the words and any web address, and
// never asked again. The topic is the one the words name (the one topic lexicon, machines/topic-words.ts), else the
// one the agent just asked about: "it's on our website" answers whatever was asked.

export interface RefusalFound {
  readonly topic: Topic;
  readonly words: string;
  readonly website?: string | undefined;
}

const REFUSAL: readonly RegExp[] = [
  /\b(we|i) (don't|do not|can't|cannot|can not|won't|will not|aren't able to|are not able to|am not able to|'m not able to|never) (give|quote|discuss|share|provide|say|tell|do|give out|release)\b.*\b(over|on) the (phone|telephone)\b/,
  /\b(we|i) (don't|do not|can't|cannot|can not) (give|quote|discuss|share|provide|give out) (out )?(prices|pricing|rates|that|those|this|it|them)\b/,
  /\b(not|aren't|are not|isn't|is not) (allowed|able|permitted|supposed) to (give|quote|discuss|share|provide|say|tell)\b/,
  /\b(it's|it is|they're|they are|that's|that is|everything is|everything's|it's all|all of that is|all that is|all of it is|all of this is|those are|these are) (all )?(on|online|up on|listed on|posted on|in) (our|the) (website|site|web site|app|page|facebook|instagram)\b/,
  /\b(is|are|'s|'re)( all| both)? (on|up on|listed on|posted on) (our|the) (website|site|web site|app)\b/,
  /\b(check|look at|visit|see|go to|look on|check out|head to) (our|the) (website|site|web site|app)\b/,
  /\b(it's|it is|they're|they are|everything is|that's|that is) (all )?online\b/,
  /\b(you'd|you would|you'll|you will|you) (have|need|got) to (come|stop|swing|drop) (in|by|down)\b/,
  /\b(come|stop|swing|drop) (in|by) (for|to get) (that|those|the|a)\b/,
  /\bin person only\b|\bonly in person\b/,
  /\b(prefer|rather) not (to )?(say|share|discuss)\b/,
  /\b(that's|that is|it's|it is) (confidential|private|not something we share)\b/,
  // Spanish (accents folded by the tokeniser).
  /\bno (damos|podemos dar|puedo dar|doy|damos informacion de|manejamos) .*\bpor telefono\b/,
  /\b(esta|estan|todo esta|viene) (todo )?(en|publicado en) (la|nuestra) (pagina|pagina web|web|app|aplicacion)\b/,
  /\b(revise|vea|visite|consulte|entre a) (la|nuestra) (pagina|pagina web|web|app)\b/,
  /\b(tendria|tiene|tendrias|tienes) que (venir|pasar|acercarse) (en persona|al gimnasio|a la recepcion|por aqui)?\b/,
  /\bsolo en persona\b|\bunicamente en persona\b/,
  /\bno (estoy|estamos) (autorizad[oa]s?) (a|para) (dar|decir|compartir)\b/,
];

export function isRefusal(text: string): boolean {
  const t = plain(text);
  return REFUSAL.some((re) => re.test(t));
}

// Clauses are refused one by one, so "we don't give prices over the phone, but we're open six to ten" refuses
// prices only.
const CLAUSE_BREAKS = new Set([BOUNDARY, 'but', 'though', 'however', 'although', 'pero', 'aunque']);

function clauses(text: string): string[][] {
  const out: string[][] = [[]];
  for (const t of tokens(text)) {
    if (CLAUSE_BREAKS.has(t)) out.push([]);
    else (out[out.length - 1] as string[]).push(t);
  }
  return out.filter((c) => c.length > 0);
}

/**
 * The topics refused in `text`: every topic a refusing clause names, or `asked` (the topic of the agent's last
 * question) for a refusing clause that names none. Empty when nothing is refused, or a refusal names no topic and
 * nothing was asked.
 */
export function refusalsIn(text: string, asked: Topic | undefined): RefusalFound[] {
  const topics = new Set<Topic>();
  for (const c of clauses(text)) {
    const joined = c.join(' ');
    if (!REFUSAL.some((re) => re.test(joined))) continue;
    const named = topicMentions(c).map((m) => m.topic);
    for (const topic of named.length > 0 ? named : asked === undefined ? [] : [asked]) topics.add(topic);
  }
  if (topics.size === 0) return [];
  const website = websiteIn(text);
  const words = text.trim();
  return [...topics].map((topic) => ({ topic, words, ...(website === undefined ? {} : { website }) }));
}
