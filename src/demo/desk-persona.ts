import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DAYS, type Day, type GymFacts } from '../facts/model.js';
import { AppError } from '../errors.js';
import { factsProblems, factsSchema, normalisedFacts, type PersonaFacts } from './persona-facts.js';

// A front-desk caller persona (scenarios/front-desk/*.json): the gym whose number they ring, the facts stored for
// it (as earlier interviews left them, in the persona facts format), and what the caller says turn by turn with
// what each answer must be. The expectations name what is asked (today's hours, a plan's price, a class, something
// no fact covers); the values an answer must hold are worked out by the checker from the facts (desk-check.ts).

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +12015550100');

const expectSchema = z.union([
  z.object({ hours: z.union([z.enum(['today', 'tomorrow']), z.enum(DAYS)]) }).strict(),
  z.object({ price: z.string().trim().min(1) }).strict(),
  z.object({ class: z.string().trim().min(1) }).strict(),
  z.object({ unknown: z.string().trim().min(1) }).strict(),
  /** A step of taking a message, or the transfer's announcement: no fact is asked. */
  z.object({ step: z.enum(['message', 'transfer', 'goodbye']) }).strict(),
]);
export type DeskExpect = z.infer<typeof expectSchema>;

export const deskPersonaSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]{1,60}$/, 'lower-case letters, digits and hyphens'),
    description: z.string().max(500).optional(),
    gym: z
      .object({
        name: z.string().trim().min(1).max(100),
        phone: e164,
        /** Our Twilio number the caller rings (set to front-desk for this gym). */
        number: e164,
        staff: e164.optional(),
        timeZone: z.string().min(1),
        region: z.string().regex(/^[A-Z]{2}$/),
        subdivision: z
          .string()
          .regex(/^[A-Z0-9]{1,3}$/)
          .optional(),
      })
      .strict(),
    facts: factsSchema,
    caller: z.object({ from: e164, voice: z.literal('slt').default('slt') }).strict(),
    turns: z.array(z.object({ say: z.string().trim().min(1).max(300), expect: expectSchema }).strict()).min(1),
    /** The message the caller leaves, as it must be stored. */
    message: z
      .object({ name: z.string().min(1), callbackNumber: e164, reason: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type DeskPersona = z.infer<typeof deskPersonaSchema>;

/** The persona's facts as the database stores them (whole dollars → cents). */
export function deskFacts(f: PersonaFacts): GymFacts {
  const n = normalisedFacts(f);
  const hours: GymFacts['hours'] = {};
  for (const h of n.hours)
    for (const d of h.days as Day[])
      hours[d] =
        'closed' in h ? { closed: true } : 'open24h' in h ? { open24h: true } : { opens: h.opens, closes: h.closes };
  return {
    hours,
    pricing: n.pricing.map((p) => ({
      plan: p.plan,
      amountMinor: Math.round(p.amount * 100),
      currency: p.currency,
      period: p.period,
    })),
    classes: n.classes.map((c) => ({ name: c.name })),
  };
}

/** Every persona of `dir` (only those named in `only`), each validated whole: every problem reported at once. */
export async function loadDeskPersonas(dir: string, only?: readonly string[]): Promise<DeskPersona[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const out: DeskPersona[] = [];
  for (const f of files) {
    const raw: unknown = JSON.parse(await readFile(join(dir, f), 'utf8'));
    const parsed = deskPersonaSchema.safeParse(raw);
    const problems = parsed.success
      ? factsProblems(parsed.data.facts, 'facts')
      : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    if (problems.length > 0) throw new AppError('PERSONA_INVALID', `${f}: ${problems.join('; ')}`);
    if (parsed.success && (only === undefined || only.includes(parsed.data.name))) out.push(parsed.data);
  }
  return out;
}
