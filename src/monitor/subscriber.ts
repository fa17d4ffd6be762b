import type { ResponseStream } from '../http/types.js';

// One page's event stream (Server-Sent Events). A page that reads slowly (a bad network, a laptop lid closed) never
// holds anything up: the first write that uWS has to buffer marks it congested, later events wait in a bounded queue,
// and a queue that overflows is thrown away whole and the page marked out of step; once the client has caught up it
// is sent a fresh snapshot instead of the events it missed, so a page that fell behind is never left half-updated.
// Events that only matter as the latest (the level meters, heartbeats) are skipped while the page is behind.

export class Subscriber {
  readonly #out: ResponseStream;
  readonly #snapshot: () => string;
  readonly #maxQueued: number;
  readonly #onDrop: (n: number) => void;
  #queue: string[] = [];
  #congested = false;
  #outOfStep = false;
  #open = true;
  /** Events this page did not get (replaced by a snapshot, or skipped meter readings). */
  dropped = 0;

  /** `snapshot` renders the whole state as one event, for a page that fell out of step. */
  constructor(out: ResponseStream, snapshot: () => string, maxQueued: number, onDrop: (n: number) => void) {
    this.#out = out;
    this.#snapshot = snapshot;
    this.#maxQueued = maxQueued;
    this.#onDrop = onDrop;
    out.onWritable(() => this.#caughtUp());
  }

  get open(): boolean {
    return this.#open;
  }

  /** Queued events (tests, and the bound on memory). */
  get queued(): number {
    return this.#queue.length;
  }

  /** An event the page must get, in order (or a snapshot that covers it). */
  push(frame: string): void {
    if (!this.#open) return;
    if (this.#outOfStep) return this.#drop(1);
    if (!this.#congested) return this.#write(frame);
    if (this.#queue.length < this.#maxQueued) {
      this.#queue.push(frame);
      return;
    }
    this.#drop(this.#queue.length + 1);
    this.#queue = [];
    this.#outOfStep = true;
  }

  /** An event only the latest of which matters: written when the page keeps up, else skipped. */
  offer(frame: string): void {
    if (!this.#open) return;
    if (this.#congested || this.#outOfStep) return this.#drop(1);
    this.#write(frame);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#queue = [];
    this.#out.end();
  }

  /** The stream closed under us (the client went away): nothing more is written. */
  gone(): void {
    this.#open = false;
    this.#queue = [];
  }

  #write(frame: string): void {
    if (!this.#out.write(frame)) this.#congested = true;
  }

  #drop(n: number): void {
    this.dropped += n;
    this.#onDrop(n);
  }

  #caughtUp(): void {
    if (!this.#open) return;
    this.#congested = false;
    if (this.#outOfStep) {
      this.#outOfStep = false;
      return this.#write(this.#snapshot());
    }
    while (this.#queue.length > 0 && !this.#congested) this.#write(this.#queue.shift() as string);
  }
}
