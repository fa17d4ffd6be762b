import type { CallLine, Leg } from '../call/call-line.js';
import type { PushSocket } from '../http/uws-ws.js';

// Listen-in: both legs of a call, μ-law as they pass, to the pages listening. The call's media path only copies each
// frame into the call's pending batch (bounded); the batch goes out once per event-loop turn, one WebSocket message
// per listener, so no socket is ever written on a call's media path. A listener whose socket holds more than
// MAX_BUFFERED (a slow network) misses frames instead of growing a buffer: its audio has a gap, the call nothing.
// Nobody listening, nothing attached: the call's line has no listener at all.
//
// A message is a run of records: [leg: 0 the gym, 1 the agent][length: uint16 big-endian][length bytes of μ-law].

export const LEG_CODE: Readonly<Record<Leg, number>> = { caller: 0, agent: 1 };
/** Bytes a listener's socket may hold before its frames are dropped (≈ 2 s of both legs). */
export const MAX_BUFFERED = 32 * 1024;
/** A call's frames waiting for the next flush; more only when the event loop stalls: the newest are dropped. */
const MAX_PENDING = 16 * 1024;

export interface ListenLimits {
  readonly perCall: number;
  readonly total: number;
}

class CallAudio {
  readonly outs = new Set<PushSocket>();
  readonly #detach: () => void;
  #records: Uint8Array[] = [];
  #bytes = 0;

  constructor(
    line: CallLine,
    private readonly due: (c: CallAudio) => void,
    private readonly dropped: (frames: number) => void,
  ) {
    this.#detach = line.listen((leg, mulaw) => this.#frame(leg, mulaw));
  }

  #frame(leg: Leg, mulaw: Uint8Array): void {
    const n = Math.min(mulaw.length, 0xffff);
    if (this.#bytes + n + 3 > MAX_PENDING) return this.dropped(1);
    const r = new Uint8Array(n + 3);
    r[0] = LEG_CODE[leg];
    r[1] = n >> 8;
    r[2] = n & 0xff;
    r.set(mulaw.subarray(0, n), 3); // a copy: the transport reuses its buffer
    if (this.#records.length === 0) this.due(this);
    this.#records.push(r);
    this.#bytes += r.length;
  }

  flush(): void {
    if (this.#records.length === 0) return;
    const frames = this.#records.length;
    const message = new Uint8Array(this.#bytes);
    let at = 0;
    for (const r of this.#records) {
      message.set(r, at);
      at += r.length;
    }
    this.#records = [];
    this.#bytes = 0;
    for (const out of this.outs) {
      if (out.bufferedAmount() > MAX_BUFFERED || out.send(message) === 'dropped') this.dropped(frames);
    }
  }

  stop(): void {
    this.#detach();
    this.#records = [];
    this.#bytes = 0;
  }
}

export class Listening {
  readonly #calls = new Map<string, CallAudio>();
  readonly #due = new Set<CallAudio>();
  #scheduled = false;
  #total = 0;

  constructor(
    private readonly limits: ListenLimits,
    private readonly dropped: (frames: number) => void,
  ) {}

  get listeners(): number {
    return this.#total;
  }

  /** `out` hears the call from now on; 'busy' over the limits. The returned stop() is idempotent. */
  add(callId: string, line: CallLine, out: PushSocket): { ok: true; stop: () => void } | { ok: false } {
    const existing = this.#calls.get(callId);
    if (this.#total >= this.limits.total || (existing?.outs.size ?? 0) >= this.limits.perCall) return { ok: false };
    const audio = existing ?? new CallAudio(line, (c) => this.#schedule(c), this.dropped);
    this.#calls.set(callId, audio);
    audio.outs.add(out);
    this.#total++;
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      audio.outs.delete(out);
      this.#total--;
      if (audio.outs.size === 0 && this.#calls.get(callId) === audio) {
        audio.stop();
        this.#calls.delete(callId);
      }
    };
    return { ok: true, stop };
  }

  /** The call ended: its listeners are told so and closed (each stop() runs from the socket's close). */
  endCall(callId: string): void {
    const audio = this.#calls.get(callId);
    if (audio === undefined) return;
    audio.flush();
    for (const out of [...audio.outs]) out.end(1000, 'the call ended');
  }

  #schedule(c: CallAudio): void {
    this.#due.add(c);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const due = [...this.#due];
      this.#due.clear();
      for (const audio of due) audio.flush();
    });
  }
}
