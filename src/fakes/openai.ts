import type { ServerResponse } from 'node:http';
import { synthSpeech } from './audio.js';
import { FakeHttpServer, delay, jsonResponse } from './server.js';
import { DEFAULT_TTS_TIMING, FaultPlan, serveTts, type TtsTiming } from './tts-stream.js';

// OpenAI chat completions (SSE streaming, tool calls with arguments split across chunks, error events
// mid-stream) and /v1/audio/speech (raw 24 kHz PCM), as spoken to by the `openai` SDK.

export interface ScriptedToolCall {
  name: string;
  /** Raw JSON text of the arguments (may be deliberately invalid). */
  arguments: string;
}

export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Split each tool call's arguments into this many SSE chunks (default 3). */
  argFragments?: number;
  /** After this many text tokens, send `data: {"error": …}` instead of the rest. */
  errorAfterTokens?: number;
  /** After this many text tokens, cut the connection (no [DONE]). */
  disconnectAfterTokens?: number;
  /** Answer this HTTP status with an OpenAI error body instead of a stream. */
  status?: number;
  finishReason?: 'stop' | 'tool_calls' | 'length' | 'content_filter';
}

export interface ChatTiming {
  /** Delay from request to first content token. */
  firstTokenMs: number;
  /** Token rate after the first one; 0 = all at once. */
  tokensPerSec: number;
}

export interface ChatRequestRecord {
  body: Record<string, unknown>;
  atMs: number;
  /** When the fake wrote [DONE] (undefined while streaming or when it failed). */
  doneAtMs: number | undefined;
}

export interface FakeOpenAiOptions {
  apiKey?: string;
  chat?: Partial<ChatTiming>;
  speech?: Partial<TtsTiming>;
  /** Replies in order; when exhausted, `reply` (if given) is asked, otherwise the request fails with 500. */
  replies?: ScriptedReply[];
  reply?: (body: Record<string, unknown>) => ScriptedReply;
  synth?: (text: string, sampleRate: number) => Buffer | Promise<Buffer>;
}

const errorBody = (status: number, message: string) => ({
  error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'fake_error', code: `fake_${status}` },
});

export class FakeOpenAi {
  readonly chatRequests: ChatRequestRecord[] = [];
  readonly speechRequests: { body: Record<string, unknown>; fault: string; atMs: number }[] = [];
  readonly speechFaults = new FaultPlan();
  /** GET /v1/models requests (connection warm-ups). */
  modelListRequests = 0;
  readonly replies: ScriptedReply[];
  chatTiming: ChatTiming;
  speechTiming: TtsTiming;
  private readonly http: FakeHttpServer;
  private readonly opts: FakeOpenAiOptions;
  private seq = 0;

  constructor(opts: FakeOpenAiOptions = {}) {
    this.opts = opts;
    this.replies = [...(opts.replies ?? [])];
    this.chatTiming = { firstTokenMs: 0, tokensPerSec: 0, ...opts.chat };
    this.speechTiming = { ...DEFAULT_TTS_TIMING, ...opts.speech };
    this.http = new FakeHttpServer((req, res, body) =>
      this.handle(req.method ?? '', req.url ?? '', req.headers, body, res),
    );
  }

  async start(port = 0): Promise<this> {
    await this.http.listen(port);
    return this;
  }

  /** Base URL including /v1, as the SDK's `baseURL` wants it. */
  get url(): string {
    return `http://127.0.0.1:${this.http.boundPort}/v1`;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** TCP connections accepted so far (clients should reuse keep-alive connections across requests). */
  get connections(): number {
    return this.http.connections;
  }

  private async handle(
    method: string,
    rawUrl: string,
    headers: NodeJS.Dict<string | string[]>,
    raw: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const path = new URL(rawUrl, 'http://fake').pathname;
    if (this.opts.apiKey !== undefined && headers.authorization !== `Bearer ${this.opts.apiKey}`) {
      return jsonResponse(res, 401, errorBody(401, 'Incorrect API key provided'));
    }
    // What clients use to open a connection ahead of time (provider warm-up); cheap, like the real one.
    if (method === 'GET' && path === '/v1/models') {
      this.modelListRequests++;
      return jsonResponse(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'fake' }],
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return jsonResponse(res, 400, errorBody(400, 'body is not JSON'));
    }
    if (method === 'POST' && path === '/v1/chat/completions') return this.chat(body, res);
    if (method === 'POST' && path === '/v1/audio/speech') return this.speech(body, res);
    return jsonResponse(res, 404, errorBody(404, `no route ${method} ${path}`));
  }

  private async chat(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const record: ChatRequestRecord = { body, atMs: performance.now(), doneAtMs: undefined };
    this.chatRequests.push(record);
    const reply = this.replies.shift() ?? this.opts.reply?.(body);
    if (!reply) return jsonResponse(res, 500, errorBody(500, 'fake script exhausted'));
    if (reply.status !== undefined) return jsonResponse(res, reply.status, errorBody(reply.status, 'scripted error'));
    if (body.stream !== true) return jsonResponse(res, 400, errorBody(400, 'the fake only streams'));

    let closed = false;
    res.on('close', () => (closed = true));
    const id = `chatcmpl-fake-${++this.seq}`;
    const model = typeof body.model === 'string' ? body.model : 'fake';
    const send = (delta: Record<string, unknown>, finish: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
      );
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    send({ role: 'assistant', content: '' });
    await delay(this.chatTiming.firstTokenMs);
    const gap = this.chatTiming.tokensPerSec > 0 ? 1000 / this.chatTiming.tokensPerSec : 0;
    const tokens = (reply.text ?? '').match(/\S+\s*|\s+/g) ?? [];
    for (let i = 0; i < tokens.length; i++) {
      if (closed) return;
      if (reply.disconnectAfterTokens !== undefined && i >= reply.disconnectAfterTokens) {
        res.socket?.destroy();
        return;
      }
      if (reply.errorAfterTokens !== undefined && i >= reply.errorAfterTokens) {
        res.end(
          `data: ${JSON.stringify(errorBody(500, 'The server had an error while processing your request.'))}\n\n`,
        );
        return;
      }
      send({ content: tokens[i] });
      if (gap > 0 && i + 1 < tokens.length) await delay(gap);
    }
    if (reply.errorAfterTokens !== undefined && tokens.length <= reply.errorAfterTokens) {
      res.end(`data: ${JSON.stringify(errorBody(500, 'The server had an error while processing your request.'))}\n\n`);
      return;
    }
    const calls = reply.toolCalls ?? [];
    for (let c = 0; c < calls.length; c++) {
      const call = calls[c] as ScriptedToolCall;
      const n = Math.max(1, reply.argFragments ?? 3);
      const size = Math.ceil(call.arguments.length / n) || 1;
      send({
        tool_calls: [
          { index: c, id: `call_${this.seq}_${c}`, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      });
      for (let off = 0; off < call.arguments.length; off += size) {
        if (closed) return;
        send({ tool_calls: [{ index: c, function: { arguments: call.arguments.slice(off, off + size) } }] });
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    send({}, reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'));
    const options = body.stream_options as { include_usage?: unknown } | undefined;
    if (options?.include_usage === true) res.write(`data: ${JSON.stringify(usageChunk(id, model, body, reply))}\n\n`);
    res.end('data: [DONE]\n\n');
    record.doneAtMs = performance.now();
  }

  private async speech(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const fault = this.speechFaults.next();
    this.speechRequests.push({ body, fault, atMs: performance.now() });
    if (typeof body.input !== 'string' || body.input.length === 0) {
      return jsonResponse(res, 400, errorBody(400, 'input is required'));
    }
    if (body.response_format !== 'pcm') return jsonResponse(res, 400, errorBody(400, 'the fake only answers pcm'));
    const sr = 24000;
    const pcm = this.opts.synth ? await this.opts.synth(body.input, sr) : synthSpeech(body.input, { sampleRate: sr });
    await serveTts(res, pcm, sr, fault, this.speechTiming, errorBody, 'audio/pcm');
  }
}

/**
 * The usage chunk OpenAI sends last when stream_options.include_usage is set (choices empty). The fake counts
 * tokens as the tokenizer roughly does for English, four characters each: of the request's messages, and of the
 * scripted text and tool arguments.
 */
function usageChunk(id: string, model: string, body: Record<string, unknown>, reply: ScriptedReply): object {
  const tokens = (s: string): number => Math.ceil(s.length / 4);
  const prompt = tokens(JSON.stringify(body.messages ?? []));
  const completion =
    tokens(reply.text ?? '') + (reply.toolCalls ?? []).reduce((n, c) => n + tokens(c.name) + tokens(c.arguments), 0);
  return {
    id,
    object: 'chat.completion.chunk',
    created: 0,
    model,
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}
