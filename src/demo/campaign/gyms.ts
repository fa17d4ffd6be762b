import type { UnansweredStatus } from '../../sim/fake-twilio.js';

// The campaign demo's gyms: N of them, the same N for the same seed, each with a behaviour that says what its line
// does on each dial (rings busy, rings out, cannot be reached, or a person, phone tree or voicemail answers as one
// of the scenario personas) and a place: a time zone with a number from that region's range reserved for fiction
// (US 555-01xx, Ofcom's drama numbers, ACMA's 5550 xxxx), so nothing here is anyone's real phone.

/** What a gym's line does on each dial; the last step repeats once the list runs out. */
export type LineStep = { readonly line: UnansweredStatus } | { readonly persona: string };

export interface Behaviour {
  readonly name: string;
  /** What the campaign should see, in words (the table's legend). */
  readonly expect: string;
  /** Variants: one is chosen per gym. Persona paths are relative to the package's scenarios/ folder. */
  readonly variants: readonly (readonly LineStep[])[];
}

const COOPERATIVE = ['cooperative.json', 'several-plans.json', 'volunteer-all.json', 'cooperative-weekend.json'];
const p = (persona: string): LineStep => ({ persona });

/** One of each comes first, so a campaign of BEHAVIOURS.length gyms or more covers them all. */
export const BEHAVIOURS: readonly Behaviour[] = [
  { name: 'cooperative', expect: 'completed in one call', variants: COOPERATIVE.map((f) => [p(f)]) },
  {
    name: 'busy',
    expect: 'busy twice (backoff 15 min, 2 h), then reached',
    variants: COOPERATIVE.map((f) => [{ line: 'busy' }, { line: 'busy' }, p(f)]),
  },
  {
    name: 'no-answer',
    expect: 'unreachable, then rings out every time: attempts exhausted',
    variants: [[{ line: 'failed' }, { line: 'no-answer' }]],
  },
  {
    name: 'voicemail',
    expect: 'voicemail (one message), a person another day',
    variants: [
      [p('flows/voicemail-beep.json'), p('cooperative.json')],
      [p('flows/voicemail-full.json'), p('volunteer-all.json')],
    ],
  },
  {
    name: 'phone-tree',
    expect: 'the agent keys through the menu to the desk',
    variants: [[p('flows/tree-one-level.json')], [p('flows/tree-two-level.json')], [p('flows/tree-needs-zero.json')]],
  },
  { name: 'refusal', expect: 'prices refused: never asked again', variants: [[p('flows/prices-refused.json')]] },
  {
    name: 'callback',
    expect: 'call back after two for Mike: called back',
    variants: [[p('flows/callback-request.json'), p('cooperative.json')]],
  },
  { name: 'wrong-number', expect: 'final after one call', variants: [[p('flows/wrong-number.json')]] },
];

interface Place {
  readonly region: 'US' | 'GB' | 'AU';
  readonly timeZone: string;
  /** The reserved range's prefix; a serial of `serialDigits` digits completes it. */
  readonly prefix: string;
  readonly serialDigits: number;
  readonly city: string;
}

const PLACES: readonly Place[] = [
  { region: 'US', timeZone: 'America/New_York', prefix: '+121255501', serialDigits: 2, city: 'New York' },
  { region: 'US', timeZone: 'America/Chicago', prefix: '+131255501', serialDigits: 2, city: 'Chicago' },
  { region: 'US', timeZone: 'America/Los_Angeles', prefix: '+121355501', serialDigits: 2, city: 'Los Angeles' },
  { region: 'GB', timeZone: 'Europe/London', prefix: '+442079460', serialDigits: 3, city: 'London' },
  { region: 'AU', timeZone: 'Australia/Sydney', prefix: '+6125550', serialDigits: 4, city: 'Sydney' },
  { region: 'AU', timeZone: 'Australia/Brisbane', prefix: '+6175550', serialDigits: 4, city: 'Brisbane' },
];

/** The regions the demo's numbers are in (CALL_ALLOWED_REGIONS for its server). */
export const DEMO_REGIONS = [...new Set(PLACES.map((x) => x.region))];

export interface DemoGym {
  readonly name: string;
  readonly phone: string;
  readonly region: string;
  readonly timeZone: string;
  readonly behaviour: string;
  readonly steps: readonly LineStep[];
}

const NAMES = ['Iron', 'Peak', 'Summit', 'Core', 'Pulse', 'Anchor', 'Forge', 'Harbor', 'Atlas', 'Vital'];
const KINDS = ['Fitness', 'Gym', 'Athletic Club', 'Strength', 'Training'];

/** mulberry32: a small, well-known seeded generator; the demo needs repeatable choices, not secrecy. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * N gyms for `seed`. Behaviours go round in order (the first BEHAVIOURS.length gyms cover each once); the seed
 * picks each gym's variant and place. `places` limits the places to the first few (a short test keeps gyms in
 * fewer zones, so more of them are due at once).
 */
export function demoGyms(n: number, seed: number, places = PLACES.length): DemoGym[] {
  const rnd = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const usable = PLACES.slice(0, Math.max(1, Math.min(places, PLACES.length)));
  const serials = new Map<string, number>();
  const out: DemoGym[] = [];
  for (let i = 0; i < n; i++) {
    const b = BEHAVIOURS[i % BEHAVIOURS.length] as Behaviour;
    const place = pick(usable);
    const serial = (serials.get(place.prefix) ?? 0) + 1;
    serials.set(place.prefix, serial);
    if (serial >= 10 ** place.serialDigits) throw new Error(`more demo gyms in ${place.city} than its number range`);
    out.push({
      name: `${pick(NAMES)} ${pick(KINDS)} ${place.city} ${i + 1}`,
      phone: place.prefix + String(serial).padStart(place.serialDigits, '0'),
      region: place.region,
      timeZone: place.timeZone,
      behaviour: b.name,
      steps: pick(b.variants),
    });
  }
  return out;
}
