import { DAYS, type Day } from '../facts/model.js';
import type { NormalisedDayHours, NormalisedFacts } from '../db/normalise.js';
import { tellableFacts } from './flow.js';
import type { Persona } from './persona.js';

// Scoring a call's facts against what the persona knows: one point per day of hours, per price plan (amount,
// currency and period must match; the plan's name is free text), and per class. Extra facts the persona never
// said count as wrong too, so an agent cannot score by guessing.

export function expectedFacts(p: Persona): NormalisedFacts {
  // On a phone line, only what its people tell: not a refused topic, nothing from a voicemail or a menu.
  const facts = tellableFacts(p.facts, p.flow);
  const hours: Partial<Record<Day, NormalisedDayHours>> = {};
  for (const h of facts.hours)
    for (const d of h.days)
      hours[d] =
        'closed' in h ? { closed: true } : 'open24h' in h ? { open24h: true } : { opens: h.opens, closes: h.closes };
  return {
    hours,
    pricing: facts.pricing.map((x) => ({ amount: x.amount, currency: x.currency, period: x.period, plan: x.plan })),
    classes: facts.classes.map((c) => c.name.toLowerCase()),
  };
}

export interface FactScore {
  correct: number;
  total: number;
  /** Facts stored with a value the persona did not say, or never said at all (missing ones are not counted). */
  storedWrong: number;
  /** Human-readable differences. */
  wrong: string[];
}

const sameHours = (a: NormalisedDayHours | undefined, b: NormalisedDayHours | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function scoreFacts(expected: NormalisedFacts, got: NormalisedFacts): FactScore {
  let correct = 0;
  let total = 0;
  let storedWrong = 0;
  const wrong: string[] = [];
  for (const d of DAYS) {
    const e = expected.hours[d];
    const g = got.hours[d];
    if (e === undefined && g === undefined) continue;
    if (e === undefined) {
      total++;
      storedWrong++;
      wrong.push(`${d}: not said, got ${JSON.stringify(g)}`);
      continue;
    }
    total++;
    if (sameHours(e, g)) correct++;
    else {
      if (g !== undefined) storedWrong++;
      wrong.push(`${d}: expected ${JSON.stringify(e)}, got ${JSON.stringify(g ?? null)}`);
    }
  }
  const plans = [...got.pricing];
  for (const e of expected.pricing) {
    total++;
    const i = plans.findIndex((g) => g.amount === e.amount && g.currency === e.currency && g.period === e.period);
    if (i >= 0) {
      correct++;
      plans.splice(i, 1);
    } else wrong.push(`plan ${e.amount} ${e.currency}/${e.period} missing`);
  }
  for (const g of plans) {
    total++;
    storedWrong++;
    wrong.push(`plan ${g.amount} ${g.currency}/${g.period} not said`);
  }
  const classes = new Set(got.classes);
  for (const c of expected.classes) {
    total++;
    if (classes.delete(c)) correct++;
    else wrong.push(`class ${c} missing`);
  }
  for (const c of classes) {
    total++;
    storedWrong++;
    wrong.push(`class ${c} not said`);
  }
  return { correct, total, storedWrong, wrong };
}
