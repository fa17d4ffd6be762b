import type { CallLedger } from '../db/recorder.js';
import type { OutboundPlayer } from '../telephony/outbound-player.js';
import type { RecordingStore } from './store.js';
import { CallTracks } from './tracks.js';

// One call's recording: the gym's frames as they arrive, the agent's from the player as they leave (placed at the
// time they play), both on the call's media clock. Saved once at the end, encoded off the event loop (store.ts).

/** Audio of a call longer than MAX_CALL_MS by this much (wrap-up, a late hang-up) is still recorded. */
const MARGIN_MS = 60_000;

export class CallRecording {
  readonly #tracks: CallTracks;
  readonly #nowMs: () => number;
  #saved = false;

  /** `tracks`: where the audio goes (default: tracks for a call of up to maxCallMs and a margin). */
  constructor(maxCallMs: number, nowMs: () => number, tracks = new CallTracks(maxCallMs + MARGIN_MS)) {
    this.#tracks = tracks;
    this.#nowMs = nowMs;
  }

  /** Hear the agent through `player` (its record tap). */
  attach(player: OutboundPlayer): void {
    player.recordTap = {
      frame: (mulaw, aheadMs) => this.#tracks.agent(mulaw, this.#nowMs() + aheadMs),
      cleared: () => this.#tracks.cutAgent(this.#nowMs()),
    };
  }

  /** A frame of the gym's line at its media time. */
  caller(mulaw: Uint8Array, atMs: number): void {
    if (!this.#saved) this.#tracks.caller(mulaw, atMs);
  }

  /** Hands the recording to the store (once); resolves when it is stored or given up (never rejects). */
  async save(store: RecordingStore, ledger: CallLedger, startedAt: Date, player: OutboundPlayer): Promise<void> {
    if (this.#saved) return;
    this.#saved = true;
    player.recordTap = undefined;
    await store.save(ledger, this.#tracks.finish(), startedAt);
  }
}
