import type { InboundMessage, MediaProtocolError } from './serializer.js';

// Ordering rules of one Media Streams connection: `connected` (optional, once) then exactly one `start`, then
// media/dtmf/mark with strictly increasing sequence numbers on the same streamSid, then `stop`, then nothing.
// Pure: it only says whether an already-parsed event may be accepted now.

export type StreamPhase = 'awaiting-start' | 'streaming' | 'stopped';

export class StreamValidator {
  #phase: StreamPhase = 'awaiting-start';
  #connectedSeen = false;
  #streamSid: string | undefined;
  #lastSeq = -1;

  get phase(): StreamPhase {
    return this.#phase;
  }

  get streamSid(): string | undefined {
    return this.#streamSid;
  }

  /**
   * The fast path's check for a media message already known to be on this stream (parseMediaFast compares the
   * streamSid): the same rules as accept() for it.
   */
  acceptMedia(sequenceNumber: number): MediaProtocolError | undefined {
    if (this.#phase !== 'streaming')
      return { reason: 'out-of-order', detail: `media ${this.#phase === 'stopped' ? 'after stop' : 'before start'}` };
    if (sequenceNumber <= this.#lastSeq)
      return { reason: 'out-of-order', detail: 'media sequenceNumber not increasing' };
    this.#lastSeq = sequenceNumber;
    return undefined;
  }

  /** Returns undefined when the event is accepted (and advances the state), otherwise why not. */
  accept(e: InboundMessage): MediaProtocolError | undefined {
    if (this.#phase === 'stopped') return { reason: 'out-of-order', detail: `${e.event} after stop` };
    if (e.event === 'connected') {
      if (this.#connectedSeen || this.#phase !== 'awaiting-start')
        return { reason: 'out-of-order', detail: 'duplicate connected' };
      this.#connectedSeen = true;
      return undefined;
    }
    if (this.#phase === 'awaiting-start') {
      if (e.event !== 'start') return { reason: 'out-of-order', detail: `${e.event} before start` };
      this.#phase = 'streaming';
      this.#streamSid = e.streamSid;
      this.#lastSeq = e.sequenceNumber;
      return undefined;
    }
    if (e.event === 'start') return { reason: 'out-of-order', detail: 'second start on one connection' };
    if (e.streamSid !== this.#streamSid) return { reason: 'wrong-stream', detail: `${e.event} for another streamSid` };
    if (e.sequenceNumber <= this.#lastSeq)
      return { reason: 'out-of-order', detail: `${e.event} sequenceNumber not increasing` };
    this.#lastSeq = e.sequenceNumber;
    if (e.event === 'stop') this.#phase = 'stopped';
    return undefined;
  }
}
