import type { OpenAI } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { DeskReplyEvent } from '../../machines/events.js';
import { DAYS, PERIODS } from '../facts/model.js';
import { bothSinks, noMetrics, type MetricSink } from '../providers/metrics.js';
import { OpenAiConnection } from '../providers/openai-client.js';
import { DEFAULT_RETRY, toProviderError, withRetry, type RetryPolicy } from '../providers/retry.js';
import { assistantToolTurn, inOrder, readRound, type PendingCall, type Round } from '../providers/llm/openai.js';
import type { ConversationInput, LlmChunk } from '../providers/llm/types.js';
import { amenityAnswer, classesAnswer, holidayAnswer, hoursAnswer, namedHoliday, priceAnswer } from './answers.js';
import type { DeskKnowledge } from './knowledge.js';
import { LANGUAGE_NAMES, type Language } from '../language/index.js';
import { deskLines } from './lines.js';
import { callbackNumber, digitsIn, type DeskBrain, type DeskTurn } from './receptionist.js';

// The front desk on OpenAI: the model talks, and knows the gym only through its tools. lookup_facts answers from
// the stored facts (answers.ts: the same sentences the offline receptionist says, unknowns and stale warnings
// included); start_message / take_message / transfer_to_staff / end_call become the desk's events. The prompt
// carries no fact, and tells the model the call's language (the lookup's sentences are already in it); whatever
// the model writes still passes the guard (provider.ts) before it is spoken.

export interface OpenAiDeskOptions {
  readonly apiKey: string;
  readonly baseURL?: string | undefined;
  readonly model: string;
  readonly client?: OpenAI | undefined;
  readonly retry?: RetryPolicy | undefined;
  readonly onMetric?: MetricSink | undefined;
}

const PROVIDER = 'openai';
/** A lookup, then the words; one more round if the model only called tools again. */
const MAX_ROUNDS = 3;

const fn = (name: string, description: string, parameters: Record<string, unknown>): ChatCompletionTool => ({
  type: 'function',
  function: { name, description, parameters: { type: 'object', additionalProperties: false, ...parameters } },
});

export const DESK_TOOLS: ChatCompletionTool[] = [
  fn('lookup_facts', "Look up the gym's stored facts before answering any question about the gym.", {
    properties: {
      topic: { type: 'string', enum: ['hours', 'prices', 'classes', 'other'] },
      day: { type: 'string', enum: ['today', 'tomorrow', 'week', ...DAYS] },
      holiday: { type: 'string', description: 'for topic hours: a public holiday the caller named (Christmas, ...)' },
      plan: { type: 'string', description: 'a plan the caller named (student, day pass, ...)' },
      period: { type: 'string', enum: [...PERIODS] },
      class_name: { type: 'string' },
      thing: { type: 'string', description: 'for topic other: what the caller asked about (pool, parking, ...)' },
    },
    required: ['topic'],
  }),
  fn('start_message', 'The caller wants to leave a message: call this, then ask for name, number and reason.', {
    properties: {},
  }),
  fn('take_message', 'Store the message once you have the name, the callback number and the reason.', {
    properties: {
      name: { type: 'string' },
      callback_number: { type: 'string', description: 'the digits the caller said' },
      reason: { type: 'string' },
    },
    required: ['name', 'callback_number', 'reason'],
  }),
  fn('transfer_to_staff', 'The caller wants to speak to a person: put them through to the staff.', { properties: {} }),
  fn('end_call', 'The caller has what they wanted and said goodbye.', { properties: {} }),
];

const lookupArgs = z
  .object({
    topic: z.enum(['hours', 'prices', 'classes', 'other']),
    day: z.enum(['today', 'tomorrow', 'week', ...DAYS]).optional(),
    holiday: z.string().max(100).optional(),
    plan: z.string().max(100).optional(),
    period: z.enum(PERIODS).optional(),
    class_name: z.string().max(100).optional(),
    thing: z.string().max(100).optional(),
  })
  .strict();
const messageArgs = z
  .object({
    name: z.string().trim().min(1).max(200),
    callback_number: z.string().max(40),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();

interface ToolOutcome {
  readonly chunks: LlmChunk[];
  readonly result: string;
}

const desk = (event: DeskReplyEvent): LlmChunk => ({ type: 'desk', event });
const invalid = (name: string, error: string): ToolOutcome => ({
  chunks: [{ type: 'invalid-tool', name, error }],
  result: `error: ${error}`,
});

function lookup(turn: DeskTurn, raw: string): ToolOutcome {
  const { knowledge: k, language } = turn;
  let a;
  try {
    a = lookupArgs.parse(JSON.parse(raw || '{}'));
  } catch (e) {
    return invalid('lookup_facts', (e as Error).message.slice(0, 300));
  }
  if (k === undefined) return { chunks: [], result: `Not known: ${deskLines(language).unknown}` };
  const holiday = a.topic === 'hours' && a.holiday !== undefined ? namedHoliday(k, a.holiday, language) : undefined;
  const answer =
    holiday !== undefined
      ? holidayAnswer(holiday, language)
      : a.topic === 'hours'
        ? hoursAnswer(k, a.day ?? 'week', language)
        : a.topic === 'prices'
          ? priceAnswer(k, a.plan?.toLowerCase(), a.period, language)
          : a.topic === 'classes'
            ? classesAnswer(k, a.class_name?.toLowerCase(), language)
            : amenityAnswer(a.thing ?? (language === 'es' ? 'eso' : 'that'), language);
  // The lookup's sentences are the desk's own, built from the stored facts in this call: the guard lets the model
  // say them as they are, and nothing else that is not made of its closed vocabulary (guard.ts).
  turn.built?.(answer.sentences);
  const said = answer.sentences.join(' ');
  return {
    chunks: [],
    result: answer.known ? `Stored facts (say these sentences word for word): ${said}` : `Not known: ${said}`,
  };
}

function interpret(call: PendingCall, turn: DeskTurn): ToolOutcome {
  switch (call.name) {
    case 'lookup_facts':
      return lookup(turn, call.args);
    case 'start_message':
      return { chunks: [desk({ type: 'REPLY.MESSAGE_STARTED' })], result: 'ok: ask for the name, number and reason' };
    case 'take_message': {
      let a;
      try {
        a = messageArgs.parse(JSON.parse(call.args || '{}'));
      } catch (e) {
        return invalid('take_message', (e as Error).message.slice(0, 300));
      }
      const number = callbackNumber(digitsIn(a.callback_number, turn.language), turn.knowledge?.country);
      if (number === undefined) return invalid('take_message', 'callback_number needs 7 to 15 digits: ask again');
      const message = { name: a.name, callbackNumber: number, reason: a.reason };
      // The desk's own line reads the message back (the caller's name and number): the model is given it to say.
      const taken = deskLines(turn.language).messageTaken(a.name, number);
      turn.built?.([taken]);
      return {
        chunks: [desk({ type: 'REPLY.MESSAGE', message })],
        result: `ok: the message is stored for the staff. Say: ${taken}`,
      };
    }
    case 'transfer_to_staff':
      return turn.staff
        ? { chunks: [desk({ type: 'REPLY.TRANSFER' })], result: 'ok: say you are putting them through now' }
        : {
            chunks: [],
            result: `no staff number is set: say "${deskLines(turn.language).noStaff}" and offer a message`,
          };
    case 'end_call':
      return { chunks: [{ type: 'end-call', reason: 'caller-request' }], result: 'ok' };
    default:
      return invalid(call.name, 'no such tool');
  }
}

/** The language rule: nothing for English, so an English call's prompt is unchanged. */
function languageRule(language: Language): string[] {
  if (language === 'en') return [];
  const n = LANGUAGE_NAMES[language];
  return [
    `The caller speaks ${n.english} (${n.native}): answer only in ${n.english}, even though these instructions ` +
      `are in English. lookup_facts returns its sentences in ${n.english}: say their values as they are.`,
  ];
}

function systemPrompt(k: DeskKnowledge | undefined, language: Language): string {
  const gym = k?.gymName ? `the gym "${k.gymName}"` : 'a gym';
  const today = k ? ` Today is ${k.today.day} ${k.today.date} at the gym.` : '';
  return [
    `You are the automated front desk answering the phone for ${gym}.${today}`,
    'You know nothing about the gym yourself. Before answering any question about it (hours, prices, classes, ' +
      'amenities, anything) call lookup_facts and answer by saying the sentences it returns word for word; never ' +
      'rephrase them and never add a time, day, price, plan, class, service, address, policy or any other detail ' +
      'it did not give. If it says something is not known, say you do not know and offer to take a message. ' +
      'Any sentence of yours that states something about the gym that the lookup did not return is not spoken, ' +
      'nor is one in words a receptionist does not need: keep your own words to greetings, offers of help, a ' +
      'message or a transfer, and saying what you do not know.',
    "To take a message call start_message, then ask for the caller's name, the number to call back and what it " +
      'is about, one at a time, then call take_message. If the caller asks for a person, call transfer_to_staff. ' +
      'When the caller is done, say goodbye and call end_call.',
    'This is a phone call: one or two short sentences, plain words, no lists or symbols.',
    ...languageRule(language),
  ].join('\n');
}

function messagesOf(turn: DeskTurn): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [{ role: 'system', content: systemPrompt(turn.knowledge, turn.language) }];
  for (const h of turn.history) {
    if (h.situation !== undefined || h.text.trim() === '') continue;
    out.push(h.speaker === 'agent' ? { role: 'assistant', content: h.text } : { role: 'user', content: h.text });
  }
  return out;
}

export class OpenAiDesk implements DeskBrain {
  readonly name = PROVIDER;
  readonly model: string;
  readonly #o: OpenAiDeskOptions;
  readonly #conn: OpenAiConnection;

  constructor(o: OpenAiDeskOptions) {
    this.#o = o;
    this.model = o.model;
    this.#conn = new OpenAiConnection(o);
  }

  warm(signal?: AbortSignal): Promise<void> {
    return this.#conn.warm(signal);
  }

  async *respond(turn: DeskTurn, signal: AbortSignal, input: ConversationInput): AsyncIterable<LlmChunk> {
    const messages = messagesOf(turn);
    const report = bothSinks(this.#o.onMetric ?? noMetrics, input.onMetric);
    const started = performance.now();
    let first = true;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      this.#conn.used();
      const stream = await withRetry(
        () =>
          this.#conn.client.chat.completions.create(
            {
              model: this.model,
              messages,
              tools: DESK_TOOLS,
              stream: true,
              stream_options: { include_usage: true },
              temperature: 0.2,
              max_tokens: 200,
            },
            { signal },
          ),
        { provider: PROVIDER, policy: this.#o.retry ?? DEFAULT_RETRY, signal },
      ).catch((e: unknown) => {
        throw signal.aborted ? e : toProviderError(PROVIDER, e);
      });
      let said: Round | undefined;
      try {
        said = yield* readRound(stream, signal, input.onUsage, () => {
          if (first) report({ kind: 'llm-first-token', provider: PROVIDER, ms: performance.now() - started });
          first = false;
        });
      } catch (e) {
        throw signal.aborted ? e : toProviderError(PROVIDER, e);
      }
      if (said === undefined) return;
      const { text, calls, finish } = said;
      const ordered = inOrder(calls);
      const results = ordered.map((c) => ({ call: c, outcome: interpret(c, turn) }));
      for (const r of results) yield* r.outcome.chunks;
      // A lookup's result must reach the model before it can answer; other tools need words only if none came. A
      // message that could not be stored goes back too, whatever the model said ("I've passed it on" would be
      // untrue): the model hears why and asks again.
      const unstored = results.find((r) => r.call.name === 'take_message' && r.outcome.chunks[0]?.type !== 'desk');
      const again =
        unstored !== undefined ||
        ordered.some((c) => c.name === 'lookup_facts') ||
        (ordered.length > 0 && text.trim() === '');
      if (again && round + 1 < MAX_ROUNDS && !ordered.some((c) => c.name === 'end_call')) {
        messages.push(assistantToolTurn(text, ordered));
        for (const r of results) messages.push({ role: 'tool', tool_call_id: r.call.id, content: r.outcome.result });
        continue;
      }
      // Out of rounds with the message still not stored: the caller is asked again (for the number when it was the
      // problem, else from the name), not left believing it was passed on.
      if (unstored !== undefined) {
        const L = deskLines(turn.language);
        const line = unstored.outcome.result.includes('callback_number') ? L.messageNumberAgain : L.messageName;
        yield { type: 'text', delta: ` ${line} ` };
      }
      yield { type: 'done', finishReason: finish };
      return;
    }
    yield { type: 'done', finishReason: 'other' };
  }
}
