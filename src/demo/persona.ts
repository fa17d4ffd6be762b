import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { BACKGROUND_KINDS } from '../sim/noise/index.js';
import { expectFlowSchema, flowSchema, normalisedFlow, personaFlowProblems, serverEnvSchema } from './persona-flow.js';
import { factCount, factsProblems, factsSchema, normalisedFacts } from './persona-facts.js';
import { LANGUAGES } from '../language/index.js';

// A persona is the simulated gym receptionist the demo and the scenario suite call. It is data (JSON), so
// people can write their own; everything it says must stay inside the vocabulary the offline recogniser
// knows, otherwise a failed call would say nothing about the agent. Out-of-vocabulary personas are
// rejected up front with every problem listed, never half-run.

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
    ...expectFlowSchema,
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
    facts: factsSchema,
    /**
     * The language she speaks (src/language/). Not English: the call runs with spelled speech (spelled-voice.ts),
     * since the offline recogniser hears English only, and her answers are her own words (`says`).
     */
    language: z.enum(LANGUAGES).default('en'),
    /** The language the call is placed in, when not hers: she picks up in it, then answers in hers (a switch). */
    callLanguage: z.enum(LANGUAGES).optional(),
    /**
     * Her own words for a topic, said instead of the generated sentence: a persona written by someone else
     * (scenarios/heldout/) says hours, prices and classes her way, in words the offline recogniser may not know.
     * `facts` stays the truth the call is scored against.
     */
    says: z
      .object({
        hours: z.string().trim().min(1).max(500).optional(),
        pricing: z.string().trim().min(1).max(500).optional(),
        classes: z.string().trim().min(1).max(500).optional(),
      })
      .strict()
      .optional(),
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
    /** The gym's phone line: tree, hold, voicemail, screening, transfers (src/demo/flow-schema.ts). */
    flow: flowSchema.optional(),
    /** Server settings for this persona's calls (e.g. a short HOLD_MAX_MS); see persona-flow.ts for which. */
    server: serverEnvSchema.optional(),
    expect: expectSchema.default({}),
  })
  .strict();

export type Persona = z.infer<typeof personaSchema>;
export type PersonaHours = Persona['facts']['hours'][number];
export type { PersonaFacts } from './persona-facts.js';
export type PersonaPlan = Persona['facts']['pricing'][number];
export type Behaviour = Persona['behaviour'];

/** Checks zod cannot express (vocabulary, the flow's graph and words); returns one line per problem. */
function vocabularyProblems(p: Persona): string[] {
  const out = factsProblems(p.facts, 'facts');
  if (factCount(p.facts) === 0 && !p.flow) out.push('facts: a persona must know at least one fact');
  if (p.flow) out.push(...personaFlowProblems(p.flow));
  if (p.language !== 'en') {
    // Her answers are her own words: the generated sentences are English.
    for (const t of ['hours', 'pricing', 'classes'] as const)
      if (p.facts[t].length > 0 && p.says?.[t] === undefined)
        out.push(`says.${t}: a persona speaking ${p.language} says each fact she knows in her own words`);
    if (p.flow) out.push(`flow: phone lines speak English only (a persona speaking ${p.language} has none)`);
  }
  return out;
}

function normalised(p: Persona): Persona {
  return { ...p, facts: normalisedFacts(p.facts), ...(p.flow ? { flow: normalisedFlow(p.flow) } : {}) };
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
