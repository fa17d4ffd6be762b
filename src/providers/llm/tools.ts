import { z } from 'zod';
import {
  DAYS,
  PERIODS,
  TOPICS,
  classSchema,
  dayHoursSchema,
  planSchema,
  type GymFacts,
  type Topic,
} from '../../facts/model.js';
import { SITUATION_TOOLS, SITUATION_TOOL_NAMES, interpretSituationTool, type ToolContext } from './situation-tools.js';
import type { LlmChunk } from './types.js';

// The tools the model may call, their JSON schemas (what the model sees) and their validation (what we
// trust). The model's shape is friendlier than GymFacts (day lists, amounts in major units); we convert
// and then validate against the GymFacts part schemas, so only well-formed facts ever leave this file.

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

const hoursEntry = z
  .object({
    days: z.array(z.enum(DAYS)).min(1),
    opens: z.string().regex(hhmm, 'opens must be HH:MM').optional(),
    closes: z.string().regex(hhmm, 'closes must be HH:MM').optional(),
    closed: z.boolean().optional(),
    open24h: z.boolean().optional(),
  })
  .strict()
  .refine((h) => h.closed === true || h.open24h === true || (h.opens !== undefined && h.closes !== undefined), {
    message: 'each hours entry needs opens and closes, or closed: true, or open24h: true',
  });

const recordFactsArgs = z
  .object({
    hours: z.array(hoursEntry).optional(),
    pricing: z
      .array(
        z
          .object({
            plan: z.string().min(1),
            amount: z.number().min(0).max(1_000_000),
            currency: z.string().optional(),
            period: z.enum(PERIODS),
          })
          .strict(),
      )
      .optional(),
    classes: z.array(z.object({ name: z.string().min(1), schedule: z.string().optional() }).strict()).optional(),
  })
  .strict()
  .refine((a) => a.hours !== undefined || a.pricing !== undefined || a.classes !== undefined, {
    message: 'record_facts needs at least one of hours, pricing, classes',
  });

const endCallArgs = z.object({ reason: z.enum(['facts-complete', 'caller-request', 'other']) }).strict();
const askedArgs = z.object({ topic: z.enum(TOPICS) }).strict();

export const TOOL_NAMES = ['record_facts', 'asking_about', 'end_call', ...SITUATION_TOOL_NAMES] as const;

/** The record_facts tool (JSON Schema); alone, it is what the wrap-up after a hang-up offers. */
export const RECORD_FACTS_TOOL = {
  type: 'function' as const,
  function: {
    name: 'record_facts',
    description:
      'Record facts the gym staff just stated. Call it as soon as a fact is heard; never invent or guess facts.',
    parameters: {
      type: 'object',
      additionalProperties: false,
      properties: {
        hours: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              days: { type: 'array', items: { type: 'string', enum: [...DAYS] } },
              opens: { type: 'string', description: '24-hour HH:MM' },
              closes: { type: 'string', description: '24-hour HH:MM; 24:00 for midnight' },
              closed: { type: 'boolean' },
              open24h: { type: 'boolean' },
            },
            required: ['days'],
          },
        },
        pricing: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              plan: { type: 'string', description: 'plan name as the staff said it, e.g. monthly' },
              amount: { type: 'number', description: 'price in major units, e.g. 49.99' },
              currency: { type: 'string', description: 'ISO 4217, default USD' },
              period: { type: 'string', enum: [...PERIODS] },
            },
            required: ['plan', 'amount', 'period'],
          },
        },
        classes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { name: { type: 'string' }, schedule: { type: 'string' } },
            required: ['name'],
          },
        },
      },
    },
  },
};

/** OpenAI `tools` parameter (JSON Schema). Kept in step with the zod schemas above by the tests. */
export const TOOLS = [
  RECORD_FACTS_TOOL,
  {
    type: 'function' as const,
    function: {
      name: 'asking_about',
      description: 'Call together with a spoken question, naming the topic the question is about.',
      parameters: {
        type: 'object',
        additionalProperties: false,
        properties: { topic: { type: 'string', enum: [...TOPICS] } },
        required: ['topic'],
      },
    },
  },
  {
    type: 'function' as const,
    function: {
      name: 'end_call',
      description:
        'End the call after your goodbye sentence: when every fact is collected or the caller wants to stop.',
      parameters: {
        type: 'object',
        additionalProperties: false,
        properties: { reason: { type: 'string', enum: ['facts-complete', 'caller-request', 'other'] } },
        required: ['reason'],
      },
    },
  },
  ...SITUATION_TOOLS,
];

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
}

function toFacts(a: z.infer<typeof recordFactsArgs>): Partial<GymFacts> {
  const out: Partial<GymFacts> = {};
  if (a.hours) {
    const hours: GymFacts['hours'] = {};
    for (const h of a.hours) {
      const entry = h.open24h
        ? { open24h: true as const }
        : h.closed
          ? { closed: true as const }
          : { opens: h.opens, closes: h.closes };
      const day = dayHoursSchema.parse(entry);
      for (const d of h.days) hours[d] = day;
    }
    out.hours = hours;
  }
  if (a.pricing) {
    out.pricing = a.pricing.map((p) =>
      planSchema.parse({
        plan: p.plan,
        amountMinor: Math.round(p.amount * 100),
        currency: (p.currency ?? 'USD').toUpperCase(),
        period: p.period,
      }),
    );
  }
  if (a.classes) {
    out.classes = a.classes.map((c) =>
      classSchema.parse({ name: c.name.toLowerCase(), ...(c.schedule ? { schedule: c.schedule } : {}) }),
    );
  }
  return out;
}

/** Result of one completed tool call: the chunk to emit and the text to return to the model. */
export interface ToolOutcome {
  chunk: LlmChunk;
  /** Sent back as the tool result if the model needs another round. */
  result: string;
}

/** record_facts called with nothing in it: the wrap-up's way of saying the words held no fact. */
export function isEmptyRecord(rawArgs: string): boolean {
  const raw = rawArgs.trim();
  if (raw === '') return true;
  try {
    const json: unknown = JSON.parse(raw);
    return typeof json === 'object' && json !== null && !Array.isArray(json) && Object.keys(json).length === 0;
  } catch {
    return false;
  }
}

/**
 * Parse, validate and convert one tool call. Never throws: bad arguments become `invalid-tool`. Without `ctx` (the
 * facts-only wrap-up, which offers record_facts alone) the situation tools are not offered.
 */
export function interpretToolCall(name: string, rawArgs: string, ctx?: ToolContext): ToolOutcome {
  let json: unknown;
  try {
    json = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch {
    const error = 'arguments are not valid JSON';
    return { chunk: { type: 'invalid-tool', name, error }, result: `error: ${error}; ask the staff again` };
  }
  const fail = (error: string): ToolOutcome => ({
    chunk: { type: 'invalid-tool', name, error },
    result: `error: ${error}; nothing was recorded, ask the staff again`,
  });
  switch (name) {
    case 'record_facts': {
      const p = recordFactsArgs.safeParse(json);
      if (!p.success) return fail(zodMessage(p.error));
      try {
        return { chunk: { type: 'facts', facts: toFacts(p.data) }, result: 'recorded' };
      } catch (e) {
        return fail(e instanceof z.ZodError ? zodMessage(e) : String(e));
      }
    }
    case 'asking_about': {
      const p = askedArgs.safeParse(json);
      if (!p.success) return fail(zodMessage(p.error));
      return { chunk: { type: 'asked', topic: p.data.topic as Topic }, result: 'ok' };
    }
    case 'end_call': {
      const p = endCallArgs.safeParse(json);
      if (!p.success) return fail(zodMessage(p.error));
      return { chunk: { type: 'end-call', reason: p.data.reason }, result: 'the call will end after your goodbye' };
    }
    default: {
      const r = ctx === undefined ? undefined : interpretSituationTool(name, json, ctx);
      if (r === undefined) return fail(`unknown tool ${name}`);
      return r.ok ? { chunk: r.chunk, result: r.result } : fail(r.error);
    }
  }
}
