import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { DAYS, PERIODS, type Day } from '../facts/model.js';
import { BACKGROUND_KINDS } from '../sim/noise/index.js';
import {
  canonicalClassName,
  canonicalPlanName,
  canonicalTime,
  checkClassName,
  checkPlanName,
  checkPriceAmount,
  checkTime,
} from './vocabulary-check.js';

// A persona is the simulated gym receptionist the demo and the scenario suite call. It is data (JSON), so
// people can write their own; everything it says must stay inside the vocabulary the offline recogniser
// knows, otherwise a failed call would say nothing about the agent. Out-of-vocabulary personas are
// rejected up front with every problem listed, never half-run.

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
    amount: z.number().int('amount must be whole dollars'),
    currency: z.literal('USD', { message: 'currency must be USD (the offline vocabulary speaks dollars only)' }),
    period: z.enum(PERIODS),
  })
  .strict();

const classEntry = z.object({ name: z.string().trim().min(1).max(60) }).strict();

const behaviourSchema = z
  .object({
    /** Answer every topic in the first reply instead of one topic per question. */
    volunteerAllAtOnce: z.boolean().default(false),
    /** A pause of this length in the middle of an answer, after a filler ("um, let me check..."). */
    thinkingPauseMs: z.number().int().min(0).max(10_000).default(0),
    /** Stay silent this long after the agent's first question (exercises the idle re-prompt). */
    silentOnceMs: z.number().int().min(0).max(60_000).default(0),
    /** Start talking while the agent's greeting is still playing. */
    bargeInDuringGreeting: z.boolean().default(false),
    /**
     * Talk over the agent's `utterance`-th utterance (2 = the first after its greeting), `afterMs` into it, on
     * purpose: a real interruption ("Sorry, what was that?") that the agent must stop for.
     */
    interruptAgent: z
      .object({ utterance: z.number().int().min(2).max(50), afterMs: z.number().int().min(0).max(10_000) })
      .strict()
      .nullable()
      .default(null),
    /** Say "uh-huh" / "okay" while the agent speaks (must not interrupt it). */
    backchannelDuringAgentSpeech: z.boolean().default(false),
    /** A short noise burst while the agent speaks (must not silence it). */
    coughDuringAgentSpeech: z.boolean().default(false),
    /** Hang up right after this caller turn (1-based), or never. */
    hangUpAfterTurn: z.number().int().min(1).max(50).nullable().default(null),
    /** Keys pressed by mistake during the first answer, e.g. "1" or "#". */
    dtmf: z
      .string()
      .regex(/^[0-9*#]{1,8}$/, 'dtmf must be 1-8 of 0-9 * #')
      .nullable()
      .default(null),
  })
  .strict();

/** What a scenario expects beyond the global checks (all optional; defaults derive from the behaviour). */
const expectSchema = z
  .object({
    endReason: z.string().optional(),
    /** Minimum share of facts right (0..1); cooperative personas use 1. */
    minFactsCorrect: z.number().min(0).max(1).optional(),
    /** Most facts that may be stored wrong (a value, day, plan or class the persona never said). */
    maxFactsWrong: z.number().int().min(0).optional(),
    minBargeIns: z.number().int().min(0).optional(),
    goodbyeCompleted: z.boolean().optional(),
    /** Part of the fast subset that runs in npm test. */
    fast: z.boolean().optional(),
  })
  .strict();

export const personaSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    description: z.string().max(500).optional(),
    gym: z
      .object({
        name: z.string().trim().min(1).max(80),
        phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'gym.phone must be E.164, e.g. +15551234567'),
      })
      .strict(),
    // The agent speaks with kal16; a different voice keeps the two legs distinguishable by ear.
    voice: z
      .enum(['slt'], {
        message: 'voice must be "slt" (the agent speaks with kal16; flite offers no other usable voice)',
      })
      .default('slt'),
    facts: z
      .object({
        hours: z.array(hoursEntry).default([]),
        pricing: z.array(planEntry).default([]),
        classes: z.array(classEntry).default([]),
      })
      .strict(),
    behaviour: behaviourSchema.default(() => behaviourSchema.parse({})),
    /** Sound around the receptionist's phone, generated from `seed` (src/sim/noise/), `snrDb` under her voice. */
    background: z
      .object({
        kind: z.enum(BACKGROUND_KINDS),
        snrDb: z.number().min(-10).max(60),
        seed: z.number().int().min(0).max(0xffff_ffff).optional(),
      })
      .strict()
      .optional(),
    expect: expectSchema.default({}),
  })
  .strict();

export type Persona = z.infer<typeof personaSchema>;
export type PersonaHours = Persona['facts']['hours'][number];
export type PersonaPlan = Persona['facts']['pricing'][number];
export type Behaviour = Persona['behaviour'];

/** Vocabulary and consistency checks zod cannot express; returns one line per problem. */
function vocabularyProblems(p: Persona): string[] {
  const out: string[] = [];
  const seen = new Map<Day, number>();
  p.facts.hours.forEach((h, i) => {
    for (const d of h.days) {
      const prev = seen.get(d);
      if (prev !== undefined) out.push(`facts.hours[${i}].days: ${d} is already given by facts.hours[${prev}]`);
      else seen.set(d, i);
    }
    if ('opens' in h) {
      for (const k of ['opens', 'closes'] as const) {
        const err = checkTime(canonicalTime(h[k]), k);
        if (err) out.push(`facts.hours[${i}].${k}: ${err}`);
      }
      if (canonicalTime(h.opens) === canonicalTime(h.closes))
        out.push(`facts.hours[${i}]: opens equals closes; use {"open24h": true} instead`);
    }
  });
  const plans = new Set<string>();
  p.facts.pricing.forEach((pl, i) => {
    const err = checkPriceAmount(pl.amount);
    if (err) out.push(`facts.pricing[${i}].amount: ${err}`);
    const planErr = checkPlanName(pl.plan, pl.period);
    if (planErr) out.push(`facts.pricing[${i}].plan: ${planErr}`);
    const key = `${pl.period}`;
    // The spoken form identifies a plan by its period; two plans per period could not be told apart.
    if (plans.has(key)) out.push(`facts.pricing[${i}]: a second plan with period "${pl.period}" is not supported`);
    plans.add(key);
  });
  const classes = new Set<string>();
  p.facts.classes.forEach((c, i) => {
    const err = checkClassName(c.name);
    if (err) out.push(`facts.classes[${i}].name: ${err}`);
    const key = canonicalClassName(c.name) ?? c.name.trim().toLowerCase();
    if (classes.has(key)) out.push(`facts.classes[${i}].name: "${c.name}" is listed twice`);
    classes.add(key);
  });
  if (p.facts.hours.length + p.facts.pricing.length + p.facts.classes.length === 0)
    out.push('facts: a persona must know at least one fact');
  return out;
}

/**
 * Names and times as the vocabulary spells them: spelled differently but said the same ("drop in" / "drop-in",
 * "Tai-Chi" / "tai chi", "5:00" / "05:00") is the same persona, so the receptionist says and the score expects
 * the one form the agent's side knows.
 */
function normalised(p: Persona): Persona {
  const f = p.facts;
  return {
    ...p,
    facts: {
      hours: f.hours.map((h) =>
        'opens' in h ? { ...h, opens: canonicalTime(h.opens), closes: canonicalTime(h.closes) } : h,
      ),
      pricing: f.pricing.map((pl) => ({ ...pl, plan: canonicalPlanName(pl.plan, pl.period) ?? pl.plan })),
      classes: f.classes.map((c) => ({ ...c, name: canonicalClassName(c.name) ?? c.name })),
    },
  };
}

/** Validate an already-parsed JSON value; throws PERSONA_INVALID naming every problem. */
export function parsePersona(value: unknown, source = 'persona'): Persona {
  const r = personaSchema.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('PERSONA_INVALID', `${source} is invalid:\n${lines.join('\n')}`);
  }
  const problems = vocabularyProblems(r.data);
  if (problems.length > 0)
    throw new AppError(
      'PERSONA_INVALID',
      `${source} is outside the supported vocabulary (see docs/architecture.md#personas):\n${problems.map((l) => `  ${l}`).join('\n')}`,
    );
  return normalised(r.data);
}

export async function loadPersona(file: string): Promise<Persona> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new AppError('PERSONA_INVALID', `cannot read persona file ${file}: ${(e as Error).message}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AppError('PERSONA_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parsePersona(value, file);
}
