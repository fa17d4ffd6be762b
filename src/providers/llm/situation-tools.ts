import { z } from 'zod';
import { SPOKEN_OUTCOMES } from '../../../machines/outcomes.js';
import { TOPICS, type Topic } from '../../facts/model.js';
import { callbackIn, callbackPerson, earliestCallback } from '../../situations/callback.js';
import { websiteIn } from '../../situations/website.js';
import type { LlmChunk } from './types.js';
import type { Language } from '../../language/index.js';

// The tools for the lines that are not a cooperative person: a phone tree (press_keys), a hold queue
// (wait_on_hold), a voicemail greeting (leave_voicemail), a refusal (record_refusal), a deferral
// (request_callback) and a call that cannot go on (end_call_with_outcome). As with record_facts, the schema is
// what the model sees and the zod check what we trust: a web address must be one (src/situations/website.ts), a
// callback's time is resolved by us from the staff's words in the gym's time zone, never taken from the model.

/** What interpreting a tool call needs to know about the call: the gym's clock and what is still missing. */
export interface ToolContext {
  readonly now: Date;
  /** The gym's IANA zone (src/situations/timezone.ts). */
  readonly timeZone: string;
  readonly missing: readonly Topic[];
  /** The call's language: a Spanish callback's words are read as Spanish (src/situations/callback-es.ts). */
  readonly language?: Language | undefined;
}

const pressKeysArgs = z
  .object({ digits: z.string().regex(/^[0-9*#]{1,12}$/, 'digits must be 1 to 12 of 0-9, * and #') })
  .strict();
const emptyArgs = z.object({}).strict();
const voicemailArgs = z.object({ mailbox_full: z.boolean().optional() }).strict();
const words = z.string().trim().min(1).max(500);
const refusalArgs = z
  .object({ topic: z.enum(TOPICS), words, website: z.string().trim().min(4).max(200).optional() })
  .strict();
const callbackArgs = z
  .object({
    words,
    when: z.string().trim().min(1).max(200).optional(),
    person: z.string().trim().min(1).max(80).optional(),
    topics: z.array(z.enum(TOPICS)).max(3).optional(),
  })
  .strict();
const outcomeArgs = z.object({ outcome: z.enum(SPOKEN_OUTCOMES) }).strict();

export const SITUATION_TOOL_NAMES = [
  'press_keys',
  'wait_on_hold',
  'leave_voicemail',
  'record_refusal',
  'request_callback',
  'end_call_with_outcome',
] as const;
export type SituationToolName = (typeof SITUATION_TOOL_NAMES)[number];

/** Tools after which the agent must stay silent in that response: a menu, hold music or a greeting is no listener. */
export const SILENT_TOOLS: ReadonlySet<string> = new Set(['press_keys', 'wait_on_hold', 'leave_voicemail']);

const fn = (name: SituationToolName, description: string, properties: object, required: string[]) => ({
  type: 'function' as const,
  function: {
    name,
    description,
    parameters: { type: 'object', additionalProperties: false, properties, required },
  },
});

export const SITUATION_TOOLS = [
  fn(
    'press_keys',
    'The line is an automated phone menu: press the key(s) of the option that reaches a person who can answer (front desk, membership or sales, operator, 0). Say nothing in the same response.',
    { digits: { type: 'string', description: 'keys to press in order, from 0-9 * #, e.g. "2"' } },
    ['digits'],
  ),
  fn(
    'wait_on_hold',
    'You were put on hold ("please hold", "one moment", hold music, "your call is important to us"): wait silently until a person speaks. Say nothing in the same response.',
    {},
    [],
  ),
  fn(
    'leave_voicemail',
    'The line is a voicemail greeting: the system waits for the beep, leaves its short message or hangs up, and ends the call. Say nothing in the same response.',
    { mailbox_full: { type: 'boolean', description: 'the greeting said the mailbox is full' } },
    [],
  ),
  fn(
    'record_refusal',
    'The staff will not give one topic on the phone ("we don\'t give prices over the phone", "it\'s on the website", "you\'d have to come in"). Record it once per topic; never ask about that topic again.',
    {
      topic: { type: 'string', enum: [...TOPICS] },
      words: { type: 'string', description: 'the staff words that refused, as said' },
      website: { type: 'string', description: 'the web address they gave, if any, e.g. irontemple.com/prices' },
    },
    ['topic', 'words'],
  ),
  fn(
    'request_callback',
    'The staff asks you to call back later or to ask for someone ("call back after two and ask for Mike", "the manager is in tomorrow morning").',
    {
      words: { type: 'string', description: 'the staff words, as said' },
      when: {
        type: 'string',
        description: 'the time words as said, e.g. "after two tomorrow"; never a date you computed',
      },
      person: { type: 'string', description: 'the name or role to ask for, if said' },
      topics: {
        type: 'array',
        items: { type: 'string', enum: [...TOPICS] },
        description: 'topics the callback is for',
      },
    },
    ['words'],
  ),
  fn(
    'end_call_with_outcome',
    'The call cannot help: a wrong number, a business that is not a gym, a gym closed for good, or the staff asks not to be called again ("don\'t call us again", "take us off your list": outcome do-not-call; the number is then never called again). Apologise briefly and say goodbye in the same response.',
    { outcome: { type: 'string', enum: [...SPOKEN_OUTCOMES] } },
    ['outcome'],
  ),
];

export type SituationResult = { ok: true; chunk: LlmChunk; result: string } | { ok: false; error: string };

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
}

/** Validate and convert one call of a situation tool; undefined when `name` is not one of them. */
export function interpretSituationTool(name: string, json: unknown, ctx: ToolContext): SituationResult | undefined {
  switch (name) {
    case 'press_keys': {
      const p = pressKeysArgs.safeParse(json);
      if (!p.success) return { ok: false, error: issues(p.error) };
      return { ok: true, chunk: { type: 'press-keys', digits: p.data.digits }, result: `pressing ${p.data.digits}` };
    }
    case 'wait_on_hold': {
      const p = emptyArgs.safeParse(json);
      if (!p.success) return { ok: false, error: issues(p.error) };
      return { ok: true, chunk: { type: 'hold' }, result: 'waiting silently on hold' };
    }
    case 'leave_voicemail': {
      const p = voicemailArgs.safeParse(json);
      if (!p.success) return { ok: false, error: issues(p.error) };
      const full = p.data.mailbox_full === true;
      return { ok: true, chunk: { type: 'voicemail', full }, result: 'the voicemail is handled; say nothing' };
    }
    case 'record_refusal': {
      const p = refusalArgs.safeParse(json);
      if (!p.success) return { ok: false, error: issues(p.error) };
      const website = p.data.website === undefined ? undefined : websiteIn(p.data.website);
      if (p.data.website !== undefined && website === undefined) {
        return { ok: false, error: 'website: not a web address (e.g. irontemple.com/prices)' };
      }
      const refusal = { topic: p.data.topic, words: p.data.words, ...(website === undefined ? {} : { website }) };
      return {
        ok: true,
        chunk: { type: 'refusal', refusal },
        result: `recorded; do not ask about ${p.data.topic} again`,
      };
    }
    case 'request_callback': {
      const p = callbackArgs.safeParse(json);
      if (!p.success) return { ok: false, error: issues(p.error) };
      // The time comes from the staff's words through our parser, in the gym's zone: a model's own date
      // arithmetic is not trusted. The words themselves are tried when `when` says nothing we can read.
      const found = callbackIn(p.data.words, ctx.missing, ctx.now, ctx.timeZone, ctx.language);
      const earliestLocal =
        (p.data.when === undefined ? undefined : earliestCallback(p.data.when, ctx.now, ctx.timeZone)) ??
        found?.earliestLocal;
      const topics = p.data.topics ?? found?.topics ?? [...ctx.missing];
      const request = {
        earliestLocal,
        timeZone: ctx.timeZone,
        person: p.data.person ?? callbackPerson(p.data.words),
        topics,
        words: p.data.words,
      };
      return { ok: true, chunk: { type: 'callback', request }, result: 'callback request recorded' };
    }
    case 'end_call_with_outcome': {
      const p = outcomeArgs.safeParse(json);
      if (!p.success) return { ok: false, error: issues(p.error) };
      return {
        ok: true,
        chunk: { type: 'outcome', outcome: p.data.outcome },
        result: 'the call will end after your goodbye',
      };
    }
    default:
      return undefined;
  }
}
