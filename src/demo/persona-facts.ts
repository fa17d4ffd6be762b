import { z } from 'zod';
import { DAYS, PERIODS, type Day } from '../facts/model.js';
import {
  canonicalClassName,
  canonicalPlanName,
  canonicalTime,
  checkClassName,
  checkPlanName,
  checkPriceAmount,
  checkTime,
} from './vocabulary-check.js';

// What a person at a gym knows (hours, prices, classes), as a persona writes it: the persona's own facts and those
// of a second person on the line (the manager a call is transferred to) share this schema and these checks.

const day = z.enum(DAYS);
const days = z
  .array(day)
  .min(1, 'days must name at least one day')
  .refine((d) => new Set(d).size === d.length, 'days must not repeat');

const hoursEntry = z.union([
  z.object({ days, opens: z.string(), closes: z.string() }).strict(),
  z.object({ days, closed: z.literal(true) }).strict(),
  z.object({ days, open24h: z.literal(true) }).strict(),
]);

const planEntry = z
  .object({
    plan: z.string().trim().min(1).max(60),
    amount: z.number().min(0),
    currency: z.literal('USD', { message: 'currency must be USD (the offline vocabulary speaks dollars only)' }),
    period: z.enum(PERIODS),
  })
  .strict();

const classEntry = z.object({ name: z.string().trim().min(1).max(60) }).strict();

export const factsSchema = z
  .object({
    hours: z.array(hoursEntry).default([]),
    pricing: z.array(planEntry).default([]),
    classes: z.array(classEntry).default([]),
  })
  .strict();

export type PersonaFacts = z.infer<typeof factsSchema>;

/** Vocabulary and consistency checks zod cannot express, each line prefixed with `at` (e.g. "facts"). */
export function factsProblems(f: PersonaFacts, at: string): string[] {
  const out: string[] = [];
  const seen = new Map<Day, number>();
  f.hours.forEach((h, i) => {
    for (const d of h.days) {
      const prev = seen.get(d);
      if (prev !== undefined) out.push(`${at}.hours[${i}].days: ${d} is already given by ${at}.hours[${prev}]`);
      else seen.set(d, i);
    }
    if ('opens' in h) {
      for (const k of ['opens', 'closes'] as const) {
        const err = checkTime(canonicalTime(h[k]), k);
        if (err) out.push(`${at}.hours[${i}].${k}: ${err}`);
      }
      if (canonicalTime(h.opens) === canonicalTime(h.closes))
        out.push(`${at}.hours[${i}]: opens equals closes; use {"open24h": true} instead`);
    }
  });
  const plans = new Set<string>();
  f.pricing.forEach((pl, i) => {
    const err = checkPriceAmount(pl.amount);
    if (err) out.push(`${at}.pricing[${i}].amount: ${err}`);
    const planErr = checkPlanName(pl.plan, pl.period);
    if (planErr) out.push(`${at}.pricing[${i}].plan: ${planErr}`);
    // The spoken form identifies a plan by its period; two plans per period could not be told apart.
    if (plans.has(pl.period))
      out.push(`${at}.pricing[${i}]: a second plan with period "${pl.period}" is not supported`);
    plans.add(pl.period);
  });
  const classes = new Set<string>();
  f.classes.forEach((c, i) => {
    const err = checkClassName(c.name);
    if (err) out.push(`${at}.classes[${i}].name: ${err}`);
    const key = canonicalClassName(c.name) ?? c.name.trim().toLowerCase();
    if (classes.has(key)) out.push(`${at}.classes[${i}].name: "${c.name}" is listed twice`);
    classes.add(key);
  });
  return out;
}

export function factCount(f: PersonaFacts): number {
  return f.hours.length + f.pricing.length + f.classes.length;
}

/**
 * Names and times as the vocabulary spells them: spelled differently but said the same ("drop in" / "drop-in",
 * "Tai-Chi" / "tai chi", "5:00" / "05:00") is the same fact, so the receptionist says and the score expects
 * the one form the agent's side knows.
 */
export function normalisedFacts(f: PersonaFacts): PersonaFacts {
  return {
    hours: f.hours.map((h) =>
      'opens' in h ? { ...h, opens: canonicalTime(h.opens), closes: canonicalTime(h.closes) } : h,
    ),
    pricing: f.pricing.map((pl) => ({ ...pl, plan: canonicalPlanName(pl.plan, pl.period) ?? pl.plan })),
    classes: f.classes.map((c) => ({ ...c, name: canonicalClassName(c.name) ?? c.name })),
  };
}
