import type { OpenAI } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { Stream } from 'openai/streaming';
import { bothSinks, noMetrics, type MetricSink } from '../metrics.js';
import { OpenAiConnection } from '../openai-client.js';
import { DEFAULT_RETRY, toProviderError, withRetry, type RetryPolicy } from '../retry.js';
import { emptyFacts, mergeFacts, type GymFacts } from '../../facts/model.js';
import { buildMessages, wrapUpMessages } from './prompt.js';
import { SILENT_TOOLS, type ToolContext } from './situation-tools.js';
import { RECORD_FACTS_TOOL, TOOLS, interpretToolCall, isEmptyRecord } from './tools.js';
import { factsAllowedFrom } from './facts-source.js';
import type { ConversationInput, FactsOnlyInput, FactsOnlyResult, LlmChunk, LlmProvider, LlmUsage } from './types.js';

// Streaming chat completions with tools. Text deltas go out as they arrive (the sentence splitter turns
// them into TTS requests); tool calls are assembled from their split argument fragments and interpreted
// when the stream ends. If the model answered with tool calls only, one follow-up round returns the tool
// results so it can say something: the caller must never be left in silence.

export interface OpenAiLlmOptions {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  temperature?: number;
  maxTokens?: number;
  retry?: RetryPolicy;
  onMetric?: MetricSink;
  /** Injected client (tests, proxies); otherwise built from apiKey/baseURL with SDK retries off. */
  client?: OpenAI;
  /** The gyms' zone when a conversation does not name its own (CALL_DEFAULT_TIMEZONE). */
  timeZone?: string;
  /** Wall clock for reading callback times (tests pin it). */
  now?: () => Date;
}

const PROVIDER = 'openai';

const NOT_FROM_A_RECORDING = {
  chunk: {
    type: 'invalid-tool' as const,
    name: 'record_facts',
    error: 'the last words were a recording or an assistant, not a person',
  },
  result: 'error: nothing was recorded; facts are taken only from a person, never from a recording or a menu',
};
const MAX_ROUNDS = 2;

export type FinishReason = Extract<LlmChunk, { type: 'done' }>['finishReason'];

export function normaliseFinish(r: string | null | undefined): FinishReason {
  return r === 'stop' || r === 'tool_calls' || r === 'length' || r === 'content_filter' ? r : 'other';
}

export interface PendingCall {
  id: string;
  name: string;
  args: string;
}

/** Tool calls arrive split across chunks (name, then argument fragments), keyed by index. */
export function addToolCallDeltas(
  calls: Map<number, PendingCall>,
  deltas: ChatCompletionChunk.Choice.Delta['tool_calls'] | undefined,
): void {
  for (const tc of deltas ?? []) {
    const call = calls.get(tc.index) ?? { id: '', name: '', args: '' };
    if (tc.id) call.id = tc.id;
    if (tc.function?.name) call.name += tc.function.name;
    if (tc.function?.arguments) call.args += tc.function.arguments;
    calls.set(tc.index, call);
  }
}

export const inOrder = (calls: Map<number, PendingCall>): PendingCall[] =>
  [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);

/** What one streamed completion said: its text, its tool calls (by index) and why it stopped. */
export interface Round {
  readonly text: string;
  readonly calls: Map<number, PendingCall>;
  readonly finish: FinishReason;
}

/**
 * Reads one streamed completion for a conversation (the interview's and the front desk's): yields its text as it
 * comes (`onText` hears each piece first: the first token's time, whether anything was said) and returns the
 * round; undefined once the caller has aborted (chunks the SDK had already parsed still arrive after an abort, and
 * the caller no longer wants them). The stream's errors are the caller's to name.
 */
export async function* readRound(
  stream: AsyncIterable<ChatCompletionChunk>,
  signal: AbortSignal,
  onUsage: ((u: LlmUsage) => void) | undefined,
  onText: () => void,
): AsyncGenerator<LlmChunk, Round | undefined> {
  const calls = new Map<number, PendingCall>();
  let text = '';
  let finish: FinishReason = 'other';
  for await (const chunk of stream) {
    if (signal.aborted) return undefined;
    reportUsage(chunk, onUsage);
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta;
    if (delta.content) {
      onText();
      text += delta.content;
      yield { type: 'text', delta: delta.content };
    }
    addToolCallDeltas(calls, delta.tool_calls);
    if (choice.finish_reason) finish = normaliseFinish(choice.finish_reason);
  }
  return signal.aborted ? undefined : { text, calls, finish };
}

/** The model's turn with its tool calls, as the next round's history holds it before the tools' results. */
export function assistantToolTurn(text: string, calls: Iterable<PendingCall>): ChatCompletionMessageParam {
  return {
    role: 'assistant',
    content: text || null,
    tool_calls: [...calls].map((c) => ({
      id: c.id,
      type: 'function' as const,
      function: { name: c.name, arguments: c.args },
    })),
  };
}

export class OpenAiLlm implements LlmProvider {
  readonly name = PROVIDER;
  readonly model: string;
  readonly capabilities = { streaming: true, tools: true } as const;
  private readonly conn: OpenAiConnection;
  private readonly opts: OpenAiLlmOptions;
  private readonly onMetric: MetricSink;

  constructor(opts: OpenAiLlmOptions) {
    this.opts = opts;
    this.model = opts.model;
    this.onMetric = opts.onMetric ?? noMetrics;
    this.conn = new OpenAiConnection(opts);
  }

  /**
   * Open a connection before it is needed (start-up, call start): the first turn then pays no TCP/TLS
   * handshake. Failures are left to the real request, which has the retry policy.
   */
  warm(signal?: AbortSignal): Promise<void> {
    return this.conn.warm(signal);
  }

  /** Close idle keep-alive connections (shutdown). */
  close(): Promise<void> {
    return this.conn.close();
  }

  async *respond(input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk> {
    const messages: ChatCompletionMessageParam[] = buildMessages(input);
    const ctx: ToolContext = {
      now: this.opts.now?.() ?? new Date(),
      timeZone: input.timeZone ?? this.opts.timeZone ?? 'UTC',
      missing: input.missing,
      language: input.language,
    };
    // Facts are taken only from a person's words: not from a phone tree, a hold announcement, a voicemail greeting.
    const factsAllowed = factsAllowedFrom(input.history);
    const report = bothSinks(this.onMetric, input.onMetric);
    const started = performance.now();
    let firstToken = true;
    let spoke = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      this.conn.used();
      const stream = await this.open(messages, signal, report);
      let said: Round | undefined;
      try {
        said = yield* readRound(stream, signal, input.onUsage, () => {
          if (firstToken) report({ kind: 'llm-first-token', provider: PROVIDER, ms: performance.now() - started });
          firstToken = false;
          spoke = true;
        });
      } catch (e) {
        if (signal.aborted) throw e;
        throw this.fail(e, report);
      }
      if (said === undefined) return;
      const { text, calls, finish } = said;
      const results: { id: string; content: string }[] = [];
      let silent = false;
      for (const call of inOrder(calls)) {
        const outcome =
          call.name === RECORD_FACTS_TOOL.function.name && !factsAllowed
            ? NOT_FROM_A_RECORDING
            : interpretToolCall(call.name, call.args, ctx);
        if (SILENT_TOOLS.has(call.name) && outcome.chunk.type !== 'invalid-tool') silent = true;
        results.push({ id: call.id, content: outcome.result });
        yield outcome.chunk;
      }
      // Tool calls without any spoken text: send the results back once so the model says something, unless
      // the line is a menu, hold or a voicemail greeting, where saying nothing is the point.
      if (calls.size > 0 && !spoke && !silent && round + 1 < MAX_ROUNDS) {
        messages.push(assistantToolTurn(text, calls.values()));
        for (const r of results) messages.push({ role: 'tool', tool_call_id: r.id, content: r.content });
        continue;
      }
      yield { type: 'done', finishReason: finish };
      return;
    }
  }

  /**
   * The wrap-up after a hang-up: record_facts is the only tool and the model must call it (an empty `{}` means no
   * fact); any text is ignored. One round: nobody is left to answer a tool result.
   */
  async extractFacts(input: FactsOnlyInput, signal: AbortSignal): Promise<FactsOnlyResult> {
    this.conn.used();
    const report = bothSinks(this.onMetric, input.onMetric);
    const stream = await this.open(wrapUpMessages(input), signal, report, {
      tools: [RECORD_FACTS_TOOL],
      tool_choice: { type: 'function', function: { name: RECORD_FACTS_TOOL.function.name } },
      temperature: 0,
      max_tokens: 400,
    });
    const calls = new Map<number, PendingCall>();
    try {
      for await (const chunk of stream) {
        if (signal.aborted) break;
        reportUsage(chunk, input.onUsage);
        addToolCallDeltas(calls, chunk.choices[0]?.delta.tool_calls);
      }
    } catch (e) {
      if (signal.aborted) throw e;
      throw this.fail(e, report);
    }
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    let facts: GymFacts | undefined;
    const invalid: FactsOnlyResult['invalid'] = [];
    for (const call of inOrder(calls)) {
      if (call.name === RECORD_FACTS_TOOL.function.name && isEmptyRecord(call.args)) continue;
      const { chunk } = interpretToolCall(call.name, call.args);
      if (chunk.type === 'facts') facts = mergeFacts(facts ?? emptyFacts(), chunk.facts);
      else if (chunk.type === 'invalid-tool') invalid.push({ name: chunk.name, error: chunk.error });
      else invalid.push({ name: call.name, error: 'not offered in the wrap-up' });
    }
    return { facts, invalid };
  }

  private async open(
    messages: ChatCompletionMessageParam[],
    signal: AbortSignal,
    report: MetricSink,
    overrides: Partial<ChatCompletionCreateParamsStreaming> = {},
  ): Promise<Stream<ChatCompletionChunk>> {
    // Retrying is safe only before any output: `create` resolves when the response headers arrive.
    return withRetry(
      () =>
        this.conn.client.chat.completions.create(
          {
            model: this.opts.model,
            messages,
            tools: TOOLS,
            stream: true,
            // The last chunk then carries the request's token counts: the call's cost (src/costs/meter.ts).
            stream_options: { include_usage: true },
            temperature: this.opts.temperature ?? 0.4,
            max_tokens: this.opts.maxTokens ?? 220,
            ...overrides,
          },
          { signal },
        ),
      {
        provider: PROVIDER,
        policy: this.opts.retry ?? DEFAULT_RETRY,
        signal,
        onRetry: (err) => this.reportError(err, report),
      },
    ).catch((e: unknown) => {
      if (signal.aborted) throw e;
      throw this.fail(e, report);
    });
  }

  private fail(e: unknown, report: MetricSink) {
    const err = toProviderError(PROVIDER, e);
    this.reportError(err, report);
    return err;
  }

  private reportError(err: ReturnType<typeof toProviderError>, report: MetricSink): void {
    report({
      kind: 'provider-error',
      modality: 'llm',
      provider: PROVIDER,
      code: err.code,
      status: err.status,
      retryable: err.retryable,
    });
  }
}

/** The usage chunk (choices empty, `usage` set) that stream_options.include_usage asks for. */
export function reportUsage(chunk: ChatCompletionChunk, onUsage: ((u: LlmUsage) => void) | undefined): void {
  const u = chunk.usage;
  if (u == null || onUsage === undefined) return;
  onUsage({ inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens });
}
