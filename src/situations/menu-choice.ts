import type { Key, Menu, MenuOption } from './menu.js';
import { conceptOf, type ConceptMatch, type MenuConcept } from './menu-concepts.js';
import type { Language } from '../language/index.js';

// Which key to press. Every option is ranked by what its label leads to (menu-concepts.ts); 0 with no label is an
// operator by convention. The ranking is returned whole so the log can say why a key was chosen and what the
// next best was (the loop handler tries 0 after a failed path).

export interface RankedOption {
  readonly key: Key;
  readonly label: string;
  readonly concept: MenuConcept;
  readonly score: number;
  readonly reason: string;
}

export interface MenuChoice {
  /** The option to press, or undefined when nothing offered reaches a person (then wait, or try 0). */
  readonly option: RankedOption | undefined;
  /** Every option, best first. */
  readonly ranked: readonly RankedOption[];
  /**
   * The option is one of the best kinds (front desk, membership, operator), in a menu whose order is not in doubt:
   * press it at once instead of waiting for the menu to finish.
   */
  readonly decisive: boolean;
}

/** The lowest score still worth pressing: anything below leads to a recording, a department or nowhere. */
export const PRESS_MIN_SCORE = 25;
const DECISIVE_SCORE = 85;

/**
 * The call's own language and the other one trade places: a Spanish call takes "para español, marque 2" (the menu
 * in its language leads on to the main one) and leaves "for English, press 1" (another language).
 */
function inLanguage(c: ConceptMatch, label: string, language: Language): ConceptMatch {
  if (language !== 'es') return c;
  if (c.concept === 'english') return { ...c, score: -50, reason: 'another language' };
  if (c.concept === 'language' && /\b(espanol|spanish)\b/.test(label))
    return { ...c, score: 50, reason: 'the Spanish menu (the call speaks Spanish) leads on to the main menu' };
  return c;
}

export function rankOption(o: MenuOption, language: Language = 'en'): RankedOption {
  const c = inLanguage(conceptOf(o.label), o.label, language);
  if (c.concept === 'unknown' && o.key === '0') {
    return {
      key: o.key,
      label: o.label,
      concept: 'operator',
      score: 60,
      reason: '0 reaches the operator by convention',
    };
  }
  return { key: o.key, label: o.label, concept: c.concept, score: c.score, reason: c.reason };
}

/**
 * The ranked choice. Ties keep the order heard (the earlier option was offered first). Keys in `tried` (pressed
 * already on this menu without reaching a person) rank after every untried one.
 */
export function chooseOption(menu: Menu, tried: readonly Key[] = [], language: Language = 'en'): MenuChoice {
  const ranked = menu.options
    .map((o) => rankOption(o, language))
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const ta = tried.includes(a.r.key) ? 1 : 0;
      const tb = tried.includes(b.r.key) ? 1 : 0;
      return ta - tb || b.r.score - a.r.score || a.i - b.i;
    })
    .map((x) => x.r);
  const best = ranked[0];
  let option = best !== undefined && best.score >= PRESS_MIN_SCORE && !tried.includes(best.key) ? best : undefined;
  // Words that name nothing known are most often a label the recogniser lost ("for holiday hours" as "for all day
  // our"): the operator's 0, which nearly every phone system takes unannounced, is tried first; the option only
  // once 0 did not take.
  if (option?.concept === 'unknown' && !tried.includes('0')) option = undefined;
  return { option, ranked, decisive: option !== undefined && option.score >= DECISIVE_SCORE && !menu.ambiguous };
}

/** One line for the log and the review page: "pressed 2 (membership: membership sales know the prices…)". */
export function explainChoice(choice: MenuChoice): string {
  const o = choice.option;
  if (o === undefined)
    return `no option reaches a person (${choice.ranked.map((r) => `${r.key}: ${r.concept}`).join(', ') || 'no options'})`;
  const next = choice.ranked[1];
  const alt = next === undefined ? '' : `; next ${next.key} (${next.concept})`;
  return `${o.key} for ${o.label || 'no label'} (${o.concept}: ${o.reason})${alt}`;
}
