import { z } from 'zod';

// GymFacts: the product of a call. Produced by the LLM tools and by the offline parser, validated here,
// stored by the database layer. Amounts are kept in minor units (cents) so no float ever touches money.

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];
export const TOPICS = ['hours', 'pricing', 'classes'] as const;
export type Topic = (typeof TOPICS)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'time must be HH:MM (24-hour)');

export const dayHoursSchema = z.union([
  z.object({ opens: hhmm, closes: hhmm }).strict(),
  z.object({ closed: z.literal(true) }).strict(),
  z.object({ open24h: z.literal(true) }).strict(),
]);
export type DayHours = z.infer<typeof dayHoursSchema>;

/** One day's hours as a comparable key: two days with the same key have the same hours. */
export const hoursKey = (h: DayHours): string =>
  'closed' in h ? 'closed' : 'open24h' in h ? 'open24h' : `${h.opens}-${h.closes}`;

export const PERIODS = ['month', 'year', 'week', 'day', 'visit', 'once'] as const;
export type Period = (typeof PERIODS)[number];

export const planSchema = z
  .object({
    plan: z.string().trim().min(1).max(200),
    amountMinor: z.number().int().min(0).max(100_000_000),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as USD')
      .default('USD'),
    period: z.enum(PERIODS),
  })
  .strict();
export type MembershipPlan = z.infer<typeof planSchema>;

export const classSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    schedule: z.string().trim().max(500).optional(),
  })
  .strict();
export type GymClass = z.infer<typeof classSchema>;

export const gymFactsSchema = z
  .object({
    hours: z.partialRecord(z.enum(DAYS), dayHoursSchema).default({}),
    pricing: z.array(planSchema).max(50).default([]),
    classes: z.array(classSchema).max(100).default([]),
  })
  .strict();
export type GymFacts = z.infer<typeof gymFactsSchema>;

export function emptyFacts(): GymFacts {
  return { hours: {}, pricing: [], classes: [] };
}

/** A topic counts as answered once any fact for it is known. */
export function answeredTopics(f: GymFacts): Set<Topic> {
  const s = new Set<Topic>();
  if (Object.keys(f.hours).length > 0) s.add('hours');
  if (f.pricing.length > 0) s.add('pricing');
  if (f.classes.length > 0) s.add('classes');
  return s;
}

/**
 * Topics with no fact yet, among `among` (a planned call collects only its own topics), in `order` (a flow variant's
 * topic order, src/flows/; default TOPICS order).
 */
export function missingTopics(
  f: GymFacts,
  among: readonly Topic[] = TOPICS,
  order: readonly Topic[] = TOPICS,
): Topic[] {
  const a = answeredTopics(f);
  return order.filter((t) => among.includes(t) && !a.has(t));
}

/** What makes two prices the same plan's: a later price for the same key replaces the earlier one. */
export function planKey(p: { plan: string; period: string }): string {
  return `${p.plan.toLowerCase()}|${p.period}`;
}

/** Later facts win per day / per plan name / per class name; nothing already known is dropped. */
export function mergeFacts(base: GymFacts, add: Partial<GymFacts>): GymFacts {
  const hours = { ...base.hours, ...(add.hours ?? {}) };
  const plans = new Map(base.pricing.map((p) => [planKey(p), p]));
  for (const p of add.pricing ?? []) plans.set(planKey(p), p);
  const classes = new Map(base.classes.map((c) => [c.name.toLowerCase(), c]));
  for (const c of add.classes ?? []) classes.set(c.name.toLowerCase(), { ...classes.get(c.name.toLowerCase()), ...c });
  return { hours, pricing: [...plans.values()], classes: [...classes.values()] };
}
