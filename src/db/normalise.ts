import { DAYS, type Day, type GymFacts, type Period } from '../facts/model.js';
import type { Queryable } from './sql.js';
import { getCallFacts, getGymFacts } from './repositories/facts.js';

// The normalised facts form shared by the demo JSON (issue 7), the API and the export: hours keyed by day,
// prices in major units, class names lower-case.

export type NormalisedDayHours = { opens: string; closes: string } | { closed: true } | { open24h: true };

export interface NormalisedPlan {
  amount: number;
  currency: string;
  period: Period;
  plan: string;
}

export interface NormalisedFacts {
  hours: Partial<Record<Day, NormalisedDayHours>>;
  pricing: NormalisedPlan[];
  classes: string[];
}

export function normaliseFacts(f: GymFacts): NormalisedFacts {
  const hours: Partial<Record<Day, NormalisedDayHours>> = {};
  for (const d of DAYS) {
    const h = f.hours[d];
    if (!h) continue;
    hours[d] =
      'closed' in h ? { closed: true } : 'open24h' in h ? { open24h: true } : { opens: h.opens, closes: h.closes };
  }
  const classes: string[] = [];
  for (const c of f.classes) {
    const n = c.name.trim().toLowerCase();
    if (n && !classes.includes(n)) classes.push(n);
  }
  return {
    hours,
    // Minor units are integers; dividing by 100 gives the exact decimal for every currency with 2 digits.
    pricing: f.pricing.map((p) => ({
      amount: p.amountMinor / 100,
      currency: p.currency,
      period: p.period,
      plan: p.plan,
    })),
    classes,
  };
}

/** The facts of one call, read back from the database, in the normalised form. */
export async function readNormalisedCallFacts(db: Queryable, callId: string): Promise<NormalisedFacts> {
  return normaliseFacts(await getCallFacts(db, callId));
}

/** A gym's current facts, read back from the database, in the normalised form. */
export async function readNormalisedGymFacts(db: Queryable, gymId: number): Promise<NormalisedFacts> {
  return normaliseFacts(await getGymFacts(db, gymId));
}
