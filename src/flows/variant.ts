import { z } from 'zod';
import { questionTopics } from '../../machines/text.js';
import { TOPICS, type Topic } from '../facts/model.js';
import { FLITE_VOICES } from '../providers/tts/flite.js';
import { ELEVENLABS_VOICE_ID, OPENAI_VOICES } from '../providers/tts/voice-catalogue.js';
import { fillGreeting, GREETING_PLACEHOLDERS } from './script.js';

// An A/B experiment of conversation flows, as data (FLOWS: inline JSON or a JSON file; docs/flows.md): its name, its
// variants with their weights, and what each variant changes: greeting and question wording, question order, voice,
// endpointing profile, filler policy. The variant named `control` changes nothing (today's configured behaviour).
// Everything is checked here, at start-up, with one error naming every problem.

/** Turn-taking waits of an endpointing profile (machines/timing.ts: endpointSemanticMs … endpointMaxMs). */
export interface EndpointingWaits {
  readonly semanticMs: number;
  readonly shortMs: number;
  readonly longMs: number;
  readonly maxMs: number;
}

/**
 * Built-in endpointing profiles besides `configured` (the ENDPOINT_* settings, the control's): `brisk` answers sooner
 * after a pause and risks cutting a slow speaker off; `patient` waits longer and risks a slower reply.
 */
export const ENDPOINTING_PROFILES: Readonly<Record<string, EndpointingWaits>> = {
  brisk: { semanticMs: 150, shortMs: 300, longMs: 1000, maxMs: 2500 },
  patient: { semanticMs: 400, shortMs: 700, longMs: 2200, maxMs: 4000 },
};
export const CONFIGURED_PROFILE = 'configured';

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1-40 of a-z, 0-9, _ and -, starting a-z or 0-9');
const wording = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const wait = (min: number, max: number) => z.number().int().min(min).max(max);

const waitsSchema = z
  .object({
    semanticMs: wait(0, 3000),
    shortMs: wait(100, 3000),
    longMs: wait(200, 5000),
    maxMs: wait(500, 10000),
  })
  .strict()
  .refine((w) => w.semanticMs <= w.shortMs && w.shortMs <= w.longMs && w.longMs <= w.maxMs, {
    message: 'must satisfy semanticMs ≤ shortMs ≤ longMs ≤ maxMs',
  });

const fillerSchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('holding-line'),
      afterMs: wait(300, 10000).optional(),
      lines: z.array(wording(120)).min(1).max(4).optional(),
    })
    .strict(),
  z.object({ mode: z.literal('none') }).strict(),
]);

const variantSchema = z
  .object({
    name,
    /** Share of gyms, in percent; the variants' weights add up to 100. */
    weight: z.number().int().min(1).max(100),
    greeting: z
      .object({ outbound: wording(300).optional(), inbound: wording(300).optional() })
      .strict()
      .optional(),
    questions: z
      .object({ hours: wording(200), pricing: wording(200), classes: wording(200) })
      .strict()
      .partial()
      .optional(),
    topicOrder: z.array(z.enum(TOPICS)).length(TOPICS.length).optional(),
    voice: z
      .object({
        elevenlabs: z.string().regex(ELEVENLABS_VOICE_ID, 'must be an ElevenLabs voice id (20 letters and digits)'),
        openai: z.enum(OPENAI_VOICES, { message: `must be one of ${OPENAI_VOICES.join(', ')}` }),
        flite: z.enum(FLITE_VOICES, { message: `must be one of ${FLITE_VOICES.join(', ')}` }),
      })
      .strict()
      .partial()
      .optional(),
    endpointing: name.optional(),
    filler: fillerSchema.optional(),
  })
  .strict();

export const flowsFileSchema = z
  .object({
    /** The experiment's name, recorded on every call; a new name starts a new experiment (and a new assignment). */
    experiment: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, 'must be 1-60 of letters, digits, . _ -'),
    endpointingProfiles: z.record(name, waitsSchema).optional(),
    variants: z.array(variantSchema).min(2, 'an experiment needs at least two variants').max(8),
  })
  .strict()
  .superRefine((f, ctx) => {
    for (const p of variantProblems(f)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export type FlowsFile = z.infer<typeof flowsFileSchema>;
export type FlowVariant = FlowsFile['variants'][number];

interface Problem {
  path: (string | number)[];
  message: string;
}

/** What the schema cannot say field by field: the variants as a set, and wording the call machine must understand. */
function variantProblems(f: FlowsFile): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const total = f.variants.reduce((s, v) => s + v.weight, 0);
  if (total !== 100) out.push({ path: ['variants'], message: `weights must add up to 100 (they add up to ${total})` });
  const control = f.variants.find((v) => v.name === 'control');
  if (control === undefined) out.push({ path: ['variants'], message: 'one variant must be named "control"' });
  else if (Object.keys(control).some((k) => k !== 'name' && k !== 'weight'))
    out.push({
      path: ['variants', f.variants.indexOf(control)],
      message: 'control is the configured behaviour: give it only a name and a weight, and put changes in a variant',
    });
  const profiles = new Set([
    CONFIGURED_PROFILE,
    ...Object.keys(ENDPOINTING_PROFILES),
    ...Object.keys(f.endpointingProfiles ?? {}),
  ]);
  f.variants.forEach((v, i) => {
    const at = (...rest: (string | number)[]) => ['variants', i, ...rest];
    if (seen.has(v.name)) out.push({ path: at('name'), message: `"${v.name}" is used by two variants` });
    seen.add(v.name);
    if (v.topicOrder !== undefined && new Set(v.topicOrder).size !== TOPICS.length)
      out.push({ path: at('topicOrder'), message: `must name each of ${TOPICS.join(', ')} once` });
    if (v.endpointing !== undefined && !profiles.has(v.endpointing))
      out.push({
        path: at('endpointing'),
        message: `unknown endpointing profile "${v.endpointing}" (known: ${[...profiles].join(', ')})`,
      });
    for (const [topic, q] of Object.entries(v.questions ?? {}) as [Topic, string][]) {
      const asks = questionTopics(q);
      if (asks.length !== 1 || asks[0] !== topic)
        out.push({
          path: at('questions', topic),
          message: `must be a question about ${topic} and nothing else, as the call machine reads it (it reads: ${asks.join(', ') || 'no topic'})`,
        });
    }
    for (const direction of ['outbound', 'inbound'] as const) {
      const template = v.greeting?.[direction];
      if (template === undefined) continue;
      const problem = greetingProblem(template);
      if (problem !== undefined) out.push({ path: at('greeting', direction), message: problem });
    }
    for (const [k, line] of (v.filler?.mode === 'holding-line' ? (v.filler.lines ?? []) : []).entries())
      if (questionTopics(line).length > 0)
        out.push({ path: at('filler', 'lines', k), message: 'a holding line must not ask about a topic' });
  });
  return out;
}

const UNKNOWN_PLACEHOLDER = /\{(?!gym\}|topics\})[^}]*\}/;

/**
 * A greeting must say the agent is automated (the gym is told who it talks to), use only the placeholders there are,
 * and not ask about a topic itself (the machine asks the first question after it, and would count a topic asked).
 */
function greetingProblem(template: string): string | undefined {
  const unknown = UNKNOWN_PLACEHOLDER.exec(template)?.[0];
  if (unknown !== undefined) return `unknown placeholder ${unknown} (use ${GREETING_PLACEHOLDERS.join(', ')})`;
  if (!/\bautomated\b|\b(virtual|ai)\s+assistant\b/i.test(template))
    return 'must tell the gym it is talking to an automated assistant ("automated", "virtual assistant" or "AI assistant")';
  if (questionTopics(fillGreeting(template, 'Iron Temple', 'hours, prices and classes')).length > 0)
    return 'must not ask about a topic itself: the first question follows it, in the flow’s topic order';
  return undefined;
}
