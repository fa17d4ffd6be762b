import type { Topic } from '../facts/model.js';
import type { Flow, MenuNode, PersonNode } from './flow-schema.js';
import { factCount, type PersonaFacts } from './persona-facts.js';

// The gym's phone system as pure decisions (the runtime, switchboard.ts, plays them with audio): what a menu does
// with a key or with silence, and which facts a caller can get from the people on the line. Tests drive this
// directly.

export type MenuStep =
  /** The key leads on: to a node, after the menu stops talking. */
  | { type: 'go'; to: string; key: string }
  /** A key the menu does not take: "sorry, I didn't get that", then the options again. */
  | { type: 'invalid'; key: string }
  /** No key in time: the options again. */
  | { type: 'replay' }
  /** No key (or only wrong ones) for too long: the menu gives up. */
  | { type: 'give-up'; to: string };

/** One visit to a menu: how many times its options played, the keys it got. */
export class MenuVisit {
  readonly #node: MenuNode;
  #plays = 0;

  constructor(node: MenuNode) {
    this.#node = node;
  }

  /** The options are about to play (the intro only on a first visit, the runtime's business). */
  played(): void {
    this.#plays++;
  }

  get plays(): number {
    return this.#plays;
  }

  /** A key was pressed, during the options or after them. */
  onKey(key: string): MenuStep {
    const o = this.#node.options.find((x) => x.key === key) ?? this.#node.unlisted.find((x) => x.key === key);
    if (o) return { type: 'go', to: o.to, key };
    // A wrong key counts like a silent round: a phone system that keeps saying "sorry" forever does not exist.
    return this.#exhausted() ? { type: 'give-up', to: this.#node.timeout } : { type: 'invalid', key };
  }

  /** The wait after the options passed without a key. */
  onSilence(): MenuStep {
    return this.#exhausted() ? { type: 'give-up', to: this.#node.timeout } : { type: 'replay' };
  }

  #exhausted(): boolean {
    return this.#plays >= this.#node.plays;
  }
}

/** The sentences one play of a menu says, in order. */
export function menuSentences(
  node: MenuNode,
  firstPlay: boolean,
  optionSentence: (o: MenuNode['options'][number]) => string,
): string[] {
  return [...(firstPlay && node.intro ? [node.intro] : []), ...node.options.map(optionSentence)];
}

/** Topics a person answers herself (not refused, deferred to a callback or handed to someone else). */
export function answeredBy(p: PersonNode): Topic[] {
  if (p.notTheGym !== undefined) return [];
  const withheld = new Set<Topic>([
    ...p.refuses.map((r) => r.topic),
    ...(p.callback?.topics ?? []),
    ...(p.transfer?.topics ?? []),
  ]);
  return (['hours', 'pricing', 'classes'] as const).filter((t) => !withheld.has(t));
}

/**
 * What a caller can learn from the people on this line: each person's answered topics of her own facts (or the
 * persona's), over every person the flow has. A line with no person (a voicemail, a menu loop) tells nothing.
 */
export function tellableFacts(facts: PersonaFacts, flow: Flow | undefined): PersonaFacts {
  if (flow === undefined) return facts;
  const out: PersonaFacts = { hours: [], pricing: [], classes: [] };
  const seen = { hours: new Set<string>(), pricing: new Set<string>(), classes: new Set<string>() };
  for (const n of Object.values(flow.nodes)) {
    if (n.kind !== 'person') continue;
    const own = factsOf(n, facts);
    for (const t of answeredBy(n)) {
      if (t === 'hours') for (const h of own.hours) add(out.hours, seen.hours, h);
      else if (t === 'pricing') for (const p of own.pricing) add(out.pricing, seen.pricing, p);
      else for (const c of own.classes) add(out.classes, seen.classes, c);
    }
  }
  return out;
}

function add<T>(to: T[], seen: Set<string>, x: T): void {
  const k = JSON.stringify(x);
  if (seen.has(k)) return;
  seen.add(k);
  to.push(x);
}

/** The facts a person knows: her own, or the persona's. */
export function factsOf(p: PersonNode, persona: PersonaFacts): PersonaFacts {
  return p.facts && factCount(p.facts) > 0 ? p.facts : persona;
}
