import { z } from 'zod';
import { CALL_OUTCOMES } from '../../machines/outcomes.js';
import { envSchema } from '../config/env.js';
import { grammarWords } from '../providers/asr/grammars.js';
import { flowProblems, flowSentences, flowSchema, type Flow } from './flow-schema.js';
import { factsProblems, normalisedFacts } from './persona-facts.js';

// The persona's phone line as the persona file gives it, and what a scenario expects of a call through it: the
// outcome, the keys the gym's line heard, time on hold, a repeat call that must reach the person sooner.

export { flowSchema };

/**
 * Server settings a scenario may change for its own calls: the call-behaviour knobs of issue 16 (how long to
 * wait on hold, what to do at a voicemail, how to press keys) and the call's length. Never addresses, secrets
 * or providers: a scenario runs against the offline stack the suite set up.
 */
const SERVER_KNOB = /^(HOLD_|IVR_|VOICEMAIL_|DTMF_|SCREENING_|MENU_|AMD_|MAX_CALL_MS$)/;

export const serverEnvSchema = z.record(z.string(), z.string().max(100)).superRefine((env, ctx) => {
  const known = new Set(Object.keys(envSchema.shape));
  for (const k of Object.keys(env)) {
    if (!known.has(k)) ctx.addIssue({ code: 'custom', path: [k], message: `${k} is not a server setting` });
    else if (!SERVER_KNOB.test(k))
      ctx.addIssue({
        code: 'custom',
        path: [k],
        message: `${k} cannot be set by a scenario (only call-behaviour settings: ${SERVER_KNOB.source})`,
      });
  }
});

/** The flow parts of a scenario's `expect` (spread into the persona's expect schema). */
export const expectFlowSchema = {
  /** The call's stored outcome (GET /v1/calls/{id}). */
  outcome: z.enum(CALL_OUTCOMES).optional(),
  /** The keys the gym's line heard, in order (the agent's in-band tones as the simulator's detector heard them). */
  keys: z
    .string()
    .regex(/^[0-9*#]{0,20}$/, 'keys is 0-20 of 0-9 * #')
    .optional(),
  /** Least time on hold (ms) the call must have waited through (it did not hang up early). */
  minHoldMs: z.number().int().min(0).optional(),
  /** Place the call twice; the second must reach a person sooner (the remembered menu path). */
  repeatCall: z.boolean().optional(),
  /** A message after the beep at least this long (ms of agent speech) was left on the voicemail. */
  minMessageMs: z.number().int().min(0).optional(),
};

/** Graph problems, each person's facts, and every sentence inside what the offline recogniser can hear. */
export function personaFlowProblems(f: Flow): string[] {
  const out = flowProblems(f);
  for (const [name, n] of Object.entries(f.nodes))
    if (n.kind === 'person' && n.facts) out.push(...factsProblems(n.facts, `flow.nodes.${name}.facts`));
  const known = new Set(grammarWords());
  for (const { where, text } of flowSentences(f)) {
    const unknown = spokenWords(text).filter((w) => !known.has(w));
    if (unknown.length > 0)
      out.push(
        `${where}: the offline recogniser does not know ${[...new Set(unknown)].map((w) => `"${w}"`).join(', ')}`,
      );
  }
  return out;
}

/** A sentence's words as the recogniser's dictionary spells them (lower case, apostrophes kept). */
export function spokenWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length > 0);
}

export function normalisedFlow(f: Flow): Flow {
  const nodes: Flow['nodes'] = {};
  for (const [name, n] of Object.entries(f.nodes))
    nodes[name] = n.kind === 'person' && n.facts ? { ...n, facts: normalisedFacts(n.facts) } : n;
  return { ...f, nodes };
}
