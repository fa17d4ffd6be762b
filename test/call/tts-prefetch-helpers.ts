import { createActor } from 'xstate';
import { speakerActor } from '../../src/call/speaker-actor.js';
import type { TtsPrefetch } from '../../src/call/tts-prefetch.js';
import { createLogger } from '../../src/log.js';
import type { TtsAudio, TtsProvider } from '../../src/providers/tts/types.js';
import type { OutboundPlayer, PlayerListener, UtteranceAudio } from '../../src/telephony/outbound-player.js';

export const log = createLogger('silent');

export interface MockCall {
  text: string;
  signal: AbortSignal;
  /** Chunks the consumer pulled from this request's stream. */
  pulled: number;
  /** The stream was released (finished, returned early or aborted). */
  closed: boolean;
}

/**
 * A TTS provider that counts requests. Each request's audio is `chunks` chunks of `chunkBytes` bytes whose value
 * is the request number (1-based), so a test can tell which request the played audio came from. `fail(text, n)`
 * makes request n fail before its audio is accepted ('accept') or after its first chunk ('stream').
 */
export class MockTts implements TtsProvider {
  readonly capabilities = { sampleRate: 16000, streaming: true };
  readonly calls: MockCall[] = [];
  chunks = 3;
  chunkBytes = 320;
  fail: (text: string, n: number) => 'accept' | 'stream' | undefined = () => undefined;
  /** Resolve to let request audio be accepted; undefined = at once. */
  gate: Promise<void> | undefined;

  constructor(readonly name = 'mock') {}

  async synthesize(text: string, signal: AbortSignal): Promise<TtsAudio> {
    const call: MockCall = { text, signal, pulled: 0, closed: false };
    this.calls.push(call);
    const n = this.calls.length;
    const failure = this.fail(text, n);
    await this.gate;
    if (signal.aborted) throw new Error('aborted');
    if (failure === 'accept') throw new Error(`${this.name} refused request ${n}`);
    const { chunks, chunkBytes } = this;
    async function* audio(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < chunks; i++) {
          await Promise.resolve();
          if (signal.aborted) throw new Error('aborted');
          if (failure === 'stream' && i === 1) throw new Error(`request ${n} broke mid-stream`);
          call.pulled++;
          yield new Uint8Array(chunkBytes).fill(n);
        }
      } finally {
        call.closed = true;
      }
    }
    return { sampleRate: this.capabilities.sampleRate, provider: this.name, chunks: audio() };
  }
}

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const c of chunks) out.push(...c);
  return out;
}

/** A player that records what it was given and reads every utterance's audio to the end. */
export class RecordingPlayer {
  listener: PlayerListener = {};
  readonly played = new Map<string, number[]>();
  readonly errors: string[] = [];
  enqueue(a: UtteranceAudio): void {
    collect(a.chunks).then(
      (bytes) => {
        this.played.set(a.utteranceId, bytes);
        this.listener.played?.(a.utteranceId);
      },
      (e: unknown) => this.errors.push(String(e)),
    );
  }
  clear() {
    return { interrupted: undefined, cancelled: [], droppedMs: 0 };
  }
}

export function startSpeaker(tts: TtsProvider, prefetch: TtsPrefetch | undefined) {
  const player = new RecordingPlayer();
  const logic = speakerActor(tts, player as unknown as OutboundPlayer, () => 0, log, {}, prefetch);
  const actor = createActor(logic, { input: { callId: 'c1' } });
  actor.start();
  // Without a parent the speaker's events go nowhere: tests observe the player and the provider instead.
  return { actor, player };
}
