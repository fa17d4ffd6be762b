import type { CallHandler, StartInfo, VadPort } from '../call-handler.js';
import type { OutboundPlayer } from '../outbound-player.js';
import type { ToneListener } from '../tone-listener.js';

// A call changing media streams in the middle (the Twilio keypad's <Play digits> redirect: Twilio stops the stream,
// plays the keys, opens a new one). The call, its handler (the call actor), player, VAD and tone listener must
// outlive the first stream and carry on with the second, so:
//   1. the keypad says a redirect is coming (expect) and only then asks Twilio for it;
//   2. the old stream's `stop` parks the call here instead of ending it (park);
//   3. the new stream, admitted by its own token (minted for this call with handoff=1), takes it (resume).
// A call is parked for at most PARK_MS; if no stream resumes it, it ends as a hang-up would. In-process only: the
// new stream must reach the replica that runs the call (the gate refuses it anywhere else).

export interface ParkedCall {
  readonly start: StartInfo;
  readonly handler: CallHandler;
  readonly player: OutboundPlayer;
  readonly vad: VadPort | undefined;
  readonly tones: ToneListener | undefined;
  readonly leaveLiveCalls: (() => void) | undefined;
  /** performance.now() of the first stream's start: media time keeps counting from it. */
  readonly startPerf: number;
  /** The stream that resumes the call: the parked session forwards what it is asked to close to it. */
  readonly handOver: (successor: { endSocket(code: number, reason: string): void }) => void;
}

export const PARK_MS = 15_000;
/** The <Parameter> that marks a stream as the continuation of a parked call (minted into its token like any). */
export const HANDOFF_PARAM = 'handoff';

interface Expected {
  resolve(): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class StreamHandoffs {
  readonly #expected = new Map<string, Expected>();
  readonly #parked = new Map<string, { call: ParkedCall; timer: NodeJS.Timeout }>();
  readonly #parkWaiters = new Map<string, Set<() => void>>();

  /** The keypad is about to redirect the call: resolves when a new stream resumed it, rejects after `timeoutMs`. */
  expect(callId: string, timeoutMs = PARK_MS): Promise<void> {
    this.cancel(callId, new Error('superseded by another redirect'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#expected.delete(callId);
        reject(new Error(`no new media stream within ${timeoutMs} ms of the redirect`));
      }, timeoutMs);
      timer.unref();
      this.#expected.set(callId, { resolve, reject, timer });
    });
  }

  /** The redirect was not made (REST failed): nothing will come. */
  cancel(callId: string, err: Error): void {
    const e = this.#expected.get(callId);
    if (e === undefined) return;
    clearTimeout(e.timer);
    this.#expected.delete(callId);
    e.reject(err);
  }

  expecting(callId: string): boolean {
    return this.#expected.has(callId);
  }

  /** The old stream stopped as expected: hold the call; `expire` ends it if no stream resumes it in time. */
  park(callId: string, call: ParkedCall, expire: (call: ParkedCall) => void): void {
    const timer = setTimeout(() => {
      if (this.#parked.get(callId)?.call !== call) return;
      this.#parked.delete(callId);
      this.cancel(callId, new Error('the call was not resumed'));
      expire(call);
    }, PARK_MS);
    timer.unref();
    this.#parked.set(callId, { call, timer });
    for (const w of this.#parkWaiters.get(callId) ?? []) w();
    this.#parkWaiters.delete(callId);
  }

  /** Whether `callId` is (or within `waitMs` becomes) parked here for `callSid`: the gate's check for a new stream. */
  async parkedFor(callId: string, callSid: string, waitMs = 2_000): Promise<boolean> {
    if (!this.#parked.has(callId) && this.#expected.has(callId)) {
      // The new stream's `start` may overtake the old stream's `stop` (two sockets): wait for the park briefly.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        const set = this.#parkWaiters.get(callId) ?? new Set();
        set.add(done);
        this.#parkWaiters.set(callId, set);
      });
    }
    return this.#parked.get(callId)?.call.start.callSid === callSid;
  }

  /** The new stream takes the call; the keypad's expect() resolves. */
  resume(callId: string): ParkedCall | undefined {
    const p = this.#parked.get(callId);
    if (p === undefined) return undefined;
    clearTimeout(p.timer);
    this.#parked.delete(callId);
    const e = this.#expected.get(callId);
    if (e !== undefined) {
      clearTimeout(e.timer);
      this.#expected.delete(callId);
      e.resolve();
    }
    return p.call;
  }
}
