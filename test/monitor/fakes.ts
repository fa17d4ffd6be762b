import { CallLine } from '../../src/call/call-line.js';
import type { CallStartInfo } from '../../src/call/observer.js';
import type { ResponseStream } from '../../src/http/types.js';
import type { PushResult, PushSocket } from '../../src/http/uws-ws.js';

// Stand-ins for what the monitor hub talks to: a page's event stream, a listener's socket, a live call.

export class FakeStream implements ResponseStream {
  readonly chunks: string[] = [];
  /** While true every write reports the client as slow (uWS had to buffer it). */
  congested = false;
  ended = false;
  #writable: (() => void) | undefined;
  #closed: (() => void) | undefined;

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return !this.congested;
  }
  onWritable(fn: () => void): void {
    this.#writable = fn;
  }
  onClose(fn: () => void): void {
    this.#closed = fn;
  }
  end(): void {
    this.ended = true;
    this.#closed?.();
  }
  /** The client caught up. */
  drain(): void {
    this.congested = false;
    this.#writable?.();
  }
  /** The client went away. */
  disconnect(): void {
    this.#closed?.();
  }
  /** The Server-Sent Events written so far, parsed. */
  events(): { event: string; data: Record<string, unknown> }[] {
    return this.chunks.flatMap((c) => {
      const m = /^event: (\S+)\ndata: (.*)\n\n$/s.exec(c);
      return m === null ? [] : [{ event: m[1] as string, data: JSON.parse(m[2] as string) as Record<string, unknown> }];
    });
  }
  names(): string[] {
    return this.events().map((e) => e.event);
  }
}

export class FakeSocket implements PushSocket {
  readonly sent: Uint8Array[] = [];
  buffered = 0;
  closedWith: [number, string] | undefined;
  send(bytes: Uint8Array): PushResult {
    this.sent.push(bytes.slice());
    return 'ok';
  }
  bufferedAmount(): number {
    return this.buffered;
  }
  end(code: number, reason: string): void {
    this.closedWith = [code, reason];
  }
}

/** A live call as the session announces it; `hangUps` counts the line's hang-up requests. */
export function liveCall(callId: string): { info: CallStartInfo; line: CallLine; hangUps: () => number } {
  let n = 0;
  const line = new CallLine(() => n++);
  return {
    info: {
      callId,
      direction: 'outbound',
      callSid: `CA${callId}`,
      gymName: 'Iron Temple',
      providers: { asr: 'soundswallower', llm: 'offline-interviewer', tts: 'flite:kal16' },
      line,
    },
    line,
    hangUps: () => n,
  };
}

/** Splits a listen-in message into its records (src/monitor/listening.ts). */
export function records(message: Uint8Array): { leg: number; bytes: Uint8Array }[] {
  const out: { leg: number; bytes: Uint8Array }[] = [];
  for (let at = 0; at + 3 <= message.length;) {
    const n = ((message[at + 1] as number) << 8) | (message[at + 2] as number);
    out.push({ leg: message[at] as number, bytes: message.subarray(at + 3, at + 3 + n) });
    at += 3 + n;
  }
  return out;
}

export const turnOfOneTick = (): Promise<void> => new Promise((r) => setImmediate(r));
