import type { Dsp } from '../../dsp/types.js';
import type { OutboundPlayer } from '../outbound-player.js';
import { checkKeys, type KeypadPort } from './types.js';

// In-band keys: tones rendered by the DSP addon (μ-law 8 kHz, docs/dsp.md#dtmf-and-tones) and queued on the call's
// paced player after whatever the agent is saying, where a barge-in's clear() cannot cut them.

export interface InbandKeypadOptions {
  /** Tone and pause per key (ms, 70..2000 each): 100/100 is what handsets send and every receiver takes. */
  readonly toneMs?: number;
  readonly gapMs?: number;
  /** Longest wait for Twilio's echo of the mark after the tones, beyond their own length (a dead stream). */
  readonly echoTimeoutMs?: number;
}

export class InbandKeypad implements KeypadPort {
  readonly mode = 'inband' as const;
  readonly #player: Pick<OutboundPlayer, 'playKeys'>;
  readonly #dsp: Pick<Dsp, 'dtmfRender'>;
  readonly #toneMs: number;
  readonly #gapMs: number;
  readonly #echoTimeoutMs: number;
  #seq = 0;

  constructor(player: Pick<OutboundPlayer, 'playKeys'>, dsp: Pick<Dsp, 'dtmfRender'>, o: InbandKeypadOptions = {}) {
    this.#player = player;
    this.#dsp = dsp;
    this.#toneMs = o.toneMs ?? 100;
    this.#gapMs = o.gapMs ?? 100;
    this.#echoTimeoutMs = o.echoTimeoutMs ?? 5_000;
  }

  async pressKeys(keys: string, signal?: AbortSignal): Promise<void> {
    checkKeys(keys);
    signal?.throwIfAborted();
    const mulaw = this.#dsp.dtmfRender(keys, this.#toneMs, this.#gapMs);
    const played = this.#player.playKeys(`keys-${++this.#seq}`, mulaw);
    const limitMs = mulaw.length / 8 + this.#echoTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`keys not confirmed played within ${limitMs} ms`)), limitMs);
      onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    played.catch(() => undefined); // settled below, or after the race was lost: never unhandled
    try {
      await Promise.race([played, stop]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }
}
