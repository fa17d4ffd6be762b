import type { HangupPort } from '../call/hangup-actor.js';
import { bothSinks } from '../providers/metrics.js';
import type { AsrProvider, AsrStream } from '../providers/asr/types.js';
import type { ConversationInput, LlmChunk, LlmProvider, LlmUsage } from '../providers/llm/types.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { KeypadPort } from '../telephony/keypad/types.js';
import type { Attributes, RequestSpan } from './records.js';
import { watched, type ReadEnd } from './watched.js';

// A call's providers as its trace sees them: the same provider, each request a span (llm.request, tts.request,
// asr.session, twilio.hangup, keypad.press) with the provider's name and model, how it ended, and the provider's
// own metrics of that request as events (first token, first byte, failed attempts, fail-overs, reconnects).
// Attributes never carry what was said or a phone number: sizes and counts only.

export interface RequestSource {
  /** A request starting now: part of the agent turn being prepared (`turn`) or of the call as a whole. */
  request(name: string, attributes: Attributes, scope: 'turn' | 'call'): RequestSpan;
}

const named = (name: string, model: string | undefined): Attributes =>
  model === undefined ? { 'provider.name': name } : { 'provider.name': name, 'provider.model': model };

/** Ends `span` as the promise settles: ok, aborted (the caller gave up: barge-in, the end of the call) or failed. */
function settle<T>(span: RequestSpan, signal: AbortSignal | undefined, work: Promise<T>): Promise<T> {
  return work.then(
    (v) => {
      span.end('ok');
      return v;
    },
    (e: unknown) => {
      if (signal?.aborted) span.end('aborted');
      else span.fail(e);
      throw e;
    },
  );
}

export function tracedLlm(p: LlmProvider, src: RequestSource): LlmProvider {
  const attributes = (reason: string, speculative = false): Attributes => ({
    ...named(p.name, p.model),
    'llm.reason': reason,
    'llm.speculative': speculative,
  });
  const traced: LlmProvider = {
    name: p.name,
    model: p.model,
    capabilities: p.capabilities,
    respond: (input, signal) => {
      // A reply the machine started before the caller's turn ended (preemptive generation, ReplyInput).
      const speculative = 'speculative' in input && input.speculative === true;
      const span = src.request('llm.request', attributes(input.reason, speculative), 'turn');
      const whole = new WholeResponse(span);
      const request: ConversationInput = {
        ...input,
        onUsage: whole.usage(input.onUsage),
        onMetric: bothSinks(span.metrics, input.onMetric),
      };
      return streamed(p.respond(request, signal), span, signal, whole);
    },
  };
  const extract = p.extractFacts?.bind(p);
  if (extract !== undefined)
    traced.extractFacts = (input, signal) => {
      // After the hang-up: part of the call, no agent turn.
      const span = src.request('llm.request', attributes('wrap-up'), 'call');
      const onUsage = new WholeResponse(span).usage(input.onUsage);
      const onMetric = bothSinks(span.metrics, input.onMetric);
      return settle(span, signal, extract({ ...input, onUsage, onMetric }, signal));
    };
  const warm = p.warm?.bind(p);
  if (warm !== undefined) traced.warm = warm;
  return traced;
}

/**
 * Whether a reply arrived in full: its usage (the last chunk OpenAI streams), its `done`, or the end of its stream.
 * A reader that stops once it has all it needs (the machine leaves the reply at end_call) does not make it aborted.
 */
class WholeResponse {
  received = false;
  constructor(private readonly span: RequestSpan) {}

  usage(onUsage: ((u: LlmUsage) => void) | undefined): (u: LlmUsage) => void {
    return (u) => {
      this.received = true;
      this.span.set('llm.input_tokens', u.inputTokens);
      this.span.set('llm.output_tokens', u.outputTokens);
      onUsage?.(u);
    };
  }
}

function streamed(chunks: AsyncIterable<LlmChunk>, span: RequestSpan, signal: AbortSignal, whole: WholeResponse) {
  return watched(
    chunks,
    (c) => {
      if (c.type === 'done') whole.received = true;
    },
    (end) => {
      // A provider stops yielding when its signal aborts too: only an end of its own is a whole response.
      if (end === 'done' && !signal.aborted) whole.received = true;
      if (typeof end === 'object' && !signal.aborted) span.fail(end.error);
      // A reader that stopped early (the reply was cut, the call ended) abandoned the request.
      else span.end(whole.received ? 'ok' : 'aborted');
    },
  );
}

export function tracedTts(p: TtsProvider, src: RequestSource): TtsProvider {
  const traced: TtsProvider = {
    name: p.name,
    capabilities: p.capabilities,
    synthesize: async (text, signal, options) => {
      const span = src.request('tts.request', { 'provider.chain': p.name, 'tts.characters': text.length }, 'turn');
      const played = new Played(span, signal);
      let audio;
      try {
        // The caller's options (the flow variant's voice) go through; the span hears the request's metrics too.
        audio = await p.synthesize(text, signal, { ...options, onMetric: bothSinks(span.metrics, options?.onMetric) });
      } catch (e) {
        if (signal.aborted) played.end('returned');
        else played.end({ error: e });
        throw e;
      }
      span.set('provider.name', audio.provider);
      span.set('provider.model', audio.model);
      span.set('tts.sample_rate', audio.sampleRate);
      return { ...audio, chunks: watched(audio.chunks, played.chunk, played.end) };
    },
  };
  const warm = p.warm?.bind(p);
  if (warm !== undefined) traced.warm = warm;
  return traced;
}

/**
 * A TTS request until its audio is played: it ends with the last byte read, when the player stops reading (a
 * barge-in), or when its signal aborts before the player ever reads it (a prefetch nobody took).
 */
class Played {
  #bytes = 0;
  readonly #span: RequestSpan;
  readonly #signal: AbortSignal;
  readonly #onAbort = () => this.end('returned');

  constructor(span: RequestSpan, signal: AbortSignal) {
    this.#span = span;
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly chunk = (c: Uint8Array): void => {
    this.#bytes += c.length;
  };

  readonly end = (how: ReadEnd): void => {
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#span.set('tts.bytes', this.#bytes);
    if (typeof how === 'object' && !this.#signal.aborted) this.#span.fail(how.error);
    else this.#span.end(how === 'done' && !this.#signal.aborted ? 'ok' : 'aborted');
  };
}

export function tracedAsr(p: AsrProvider, src: RequestSource): AsrProvider {
  return {
    name: p.name,
    model: p.model,
    capabilities: p.capabilities,
    open: async (o) => {
      const span = src.request('asr.session', named(p.name, p.model), 'call');
      let finals = 0;
      let stream: AsrStream;
      try {
        stream = await p.open({
          ...o,
          onMetric: bothSinks(span.metrics, o.onMetric),
          onEvent: (e) => {
            if (e.type === 'final' && e.text !== '') finals++;
            else if (e.type === 'error' && e.fatal) span.event('fatal_error', { 'error.type': e.error.name });
            o.onEvent(e);
          },
        });
      } catch (e) {
        if (o.signal?.aborted) span.end('aborted');
        else span.fail(e);
        throw e;
      }
      span.event('open');
      return sessionOf(stream, () => {
        // The session ends when the call closes it; Deepgram's goodbye (flushing its last finals) is its own affair.
        span.set('asr.finals', finals);
        span.end('ok');
      });
    },
  };
}

/** The stream itself, its close told first. */
function sessionOf(stream: AsrStream, closing: () => void): AsrStream {
  const s: AsrStream = {
    push: (mulaw) => stream.push(mulaw),
    finalize: () => stream.finalize(),
    close: () => {
      closing();
      return stream.close();
    },
  };
  if (stream.setContext) s.setContext = (ctx) => stream.setContext?.(ctx);
  if (stream.voiceActivity) s.voiceActivity = (speaking) => stream.voiceActivity?.(speaking);
  if (stream.voicePause) s.voicePause = (paused) => stream.voicePause?.(paused);
  if (stream.hurry) s.hurry = () => stream.hurry?.();
  return s;
}

export function tracedHangup(p: HangupPort, src: RequestSource): HangupPort {
  return {
    hangUp: (callSid, onRetry) => {
      const span = src.request(
        'twilio.hangup',
        { 'provider.name': 'twilio', 'twilio.operation': 'calls.update' },
        'call',
      );
      return settle(
        span,
        undefined,
        p.hangUp(callSid, () => {
          span.retried();
          onRetry?.();
        }),
      );
    },
  };
}

export function tracedKeypad(k: KeypadPort, src: RequestSource): KeypadPort {
  return {
    mode: k.mode,
    pressKeys: (keys, signal) => {
      // How many keys, never which (an extension or a PIN may be among them).
      const span = src.request('keypad.press', { 'keypad.mode': k.mode, 'keypad.keys': keys.length }, 'turn');
      return settle(span, signal, k.pressKeys(keys, signal));
    },
  };
}
