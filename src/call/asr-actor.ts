import { fromCallback } from 'xstate';
import type { AsrCommand, AsrEvent, AsrInput } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { AsrContext, AsrProvider, AsrStream } from '../providers/asr/types.js';

// The `asr` actor: one recogniser stream for the whole call. Inbound μ-law goes straight from the media session
// to the stream (never through the statechart: 50 events a second per call would be pure overhead); only the
// recogniser's results come back to the machine as events.

/**
 * Where the session delivers inbound audio and the VAD's voice edges; the actor attaches while it runs. The
 * voice state is kept, so a sink attached mid-call learns it at once (a call starts silent).
 */
export class AudioTap {
  #sink: ((mulaw: Uint8Array) => void) | undefined;
  #onVoice: ((speaking: boolean) => void) | undefined;
  #onPause: ((paused: boolean) => void) | undefined;
  #speaking = false;
  #heardToMs = 0;
  /** Media time up to which the caller's audio has arrived (the end of the last pushed frame). */
  get heardToMs(): number {
    return this.#heardToMs;
  }
  attach(
    sink: (mulaw: Uint8Array) => void,
    onVoice?: (speaking: boolean) => void,
    onPause?: (paused: boolean) => void,
  ): () => void {
    this.#sink = sink;
    this.#onVoice = onVoice;
    this.#onPause = onPause;
    onVoice?.(this.#speaking);
    return () => {
      if (this.#sink === sink) {
        this.#sink = undefined;
        this.#onVoice = undefined;
        this.#onPause = undefined;
      }
    };
  }
  /** `endMs`: media time of the end of this audio. */
  push(mulaw: Uint8Array, endMs: number): void {
    this.#heardToMs = endMs;
    this.#sink?.(mulaw);
  }
  voice(speaking: boolean): void {
    this.#speaking = speaking;
    this.#onVoice?.(speaking);
  }
  /** Her voice paused inside speech (VoicePause) or went on. */
  pause(paused: boolean): void {
    this.#onPause?.(paused);
  }
}

// Audio that arrives while the stream is still connecting is kept (up to 10 s) so no caller words are lost.
const MAX_PENDING_BYTES = 8000 * 10;

/** The recogniser's words as they come, for whoever watches the call (CallObserver.recognised). */
export type WordsListener = (words: { text: string; final: boolean }) => void;

export interface AsrHooks {
  /** Words as they come (the live monitor). */
  words?: WordsListener | undefined;
  /** A final with words arrived; `latencyMs` since the audio of its last word arrived, when the recogniser says. */
  final?(latencyMs: number | undefined): void;
}

export function asrActor(provider: AsrProvider, tap: AudioTap, log: Logger, hooks: AsrHooks = {}) {
  return fromCallback<AsrCommand, AsrInput>(({ sendBack, receive, input }) => {
    const abort = new AbortController();
    let stream: AsrStream | undefined;
    let ctx: AsrContext | undefined;
    let finalizeWanted = false;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let stopped = false;
    const send = (e: AsrEvent) => {
      if (!stopped) sendBack(e);
    };

    let speaking = false;
    // An early reply may start where her voice pauses on the interim words so far (ASR.STABLE): once per text.
    let paused = false;
    let partial = '';
    let partialEndMs: number | undefined;
    let stableSent = '';
    const stable = () => {
      if (!paused || partial.length === 0 || partial === stableSent) return;
      stableSent = partial;
      send(
        partialEndMs === undefined
          ? { type: 'ASR.STABLE', text: partial }
          : { type: 'ASR.STABLE', text: partial, endMs: partialEndMs },
      );
    };
    const detach = tap.attach(
      (mulaw) => {
        if (stream) return stream.push(mulaw);
        if (pendingBytes + mulaw.length > MAX_PENDING_BYTES) return;
        // The transport may reuse its buffer: keep a copy.
        pending.push(mulaw.slice());
        pendingBytes += mulaw.length;
      },
      (s) => {
        speaking = s;
        stream?.voiceActivity?.(s);
      },
      (p) => {
        paused = p;
        stream?.voicePause?.(p);
        stable();
      },
    );

    // Listening for the other languages it hears lets the call switch once (machines/language.region.ts).
    const language = input.language ?? 'en';
    const others = (provider.languages ?? []).filter((l) => l !== language);
    provider
      .open({
        signal: abort.signal,
        language,
        ...(others.length > 0 ? { alsoListenFor: others } : {}),
        onEvent: (e) => {
          switch (e.type) {
            case 'speech-started':
              // Not the machine's business: the call's own VAD edges say when the caller speaks.
              return;
            case 'partial':
              hooks.words?.({ text: e.text, final: false });
              send(
                e.endMs === undefined
                  ? { type: 'ASR.PARTIAL', text: e.text }
                  : { type: 'ASR.PARTIAL', text: e.text, endMs: e.endMs },
              );
              partial = e.text;
              partialEndMs = e.endMs;
              return stable();
            case 'final':
              partial = '';
              hooks.words?.({ text: e.text, final: true });
              if (e.text !== '') hooks.final?.(e.latencyMs);
              return send({
                type: 'ASR.FINAL',
                text: e.text,
                confidence: e.confidence,
                speechFinal: e.speechFinal,
                startMs: e.startMs,
                endMs: e.endMs,
                ...(e.language !== undefined ? { language: e.language } : {}),
                ...(e.flushed === true ? { flushed: true } : {}),
              });
            case 'utterance-end':
              // How long her words have been over, on the call's media clock (the recogniser's word times are).
              return send(
                e.lastWordEndMs === undefined
                  ? { type: 'ASR.UTTERANCE_END' }
                  : { type: 'ASR.UTTERANCE_END', silenceMs: Math.max(0, tap.heardToMs - e.lastWordEndMs) },
              );
            case 'error':
              log.warn({ err: e.error.message, fatal: e.fatal, provider: provider.name }, 'asr error');
              return send({ type: 'ASR.ERROR', message: e.error.message, fatal: e.fatal });
          }
        },
      })
      .then(
        (s) => {
          if (stopped) return void s.close().catch(() => undefined);
          stream = s;
          if (ctx !== undefined) s.setContext?.(ctx);
          s.voiceActivity?.(speaking);
          for (const p of pending) s.push(p);
          pending = [];
          pendingBytes = 0;
          if (finalizeWanted) s.finalize();
        },
        (e: unknown) => {
          const message = e instanceof Error ? e.message : String(e);
          log.error({ err: message, provider: provider.name }, 'asr stream could not be opened');
          send({ type: 'ASR.ERROR', message, fatal: true });
        },
      );

    receive((cmd) => {
      if (cmd.type === 'ASR.CONTEXT') {
        ctx = cmd.ctx;
        stream?.setContext?.(cmd.ctx);
      } else if (cmd.type === 'ASR.FINALIZE') {
        if (stream) stream.finalize();
        else finalizeWanted = true;
      } else if (cmd.type === 'ASR.HURRY') {
        stream?.hurry?.();
      }
    });

    return () => {
      stopped = true;
      detach();
      abort.abort();
      const s = stream;
      stream = undefined;
      s?.close().catch((e: unknown) => log.warn({ err: String(e) }, 'asr stream close failed'));
    };
  });
}
