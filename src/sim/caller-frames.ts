import { FRAME_BYTES, ULAW_SILENCE } from '../telephony/dsp-port.js';

// The caller's side of the wire, cut once: 20 ms μ-law frames with their base64 (and the PCM they came from, so line
// noise can be mixed in), and the inbound media message exactly as Twilio writes it.

export interface CallerFrame {
  readonly bytes: Uint8Array;
  readonly base64: string;
  /** The PCM the frame was encoded from (say()), so a background can be mixed in before μ-law. */
  readonly pcm?: Int16Array;
}

export const SILENCE_FRAME: CallerFrame = (() => {
  const bytes = new Uint8Array(FRAME_BYTES).fill(ULAW_SILENCE);
  return { bytes, base64: Buffer.from(bytes).toString('base64') };
})();
/** Caller audio already cut into frames, per PCM buffer (a benchmark says the same lines thousands of times). */
export const framesOf = new WeakMap<Int16Array, readonly CallerFrame[]>();

export function toFrames(mulaw: Uint8Array, pcm?: Int16Array): CallerFrame[] {
  const out: CallerFrame[] = [];
  for (let off = 0; off < mulaw.length; off += FRAME_BYTES) {
    const f = new Uint8Array(FRAME_BYTES).fill(ULAW_SILENCE);
    f.set(mulaw.subarray(off, Math.min(off + FRAME_BYTES, mulaw.length)));
    const base64 = Buffer.from(f.buffer, f.byteOffset, f.length).toString('base64');
    out.push(pcm ? { bytes: f, base64, pcm: pcm.subarray(off, off + FRAME_BYTES) } : { bytes: f, base64 });
  }
  return out;
}

/** A caller media message exactly as serializeInbound writes it (test/telephony/serializer.test.ts checks that). */
export function inboundMediaWire(
  streamSid: string,
  sequenceNumber: number,
  chunk: number,
  timestamp: number,
  base64: string,
): string {
  return (
    `{"event":"media","sequenceNumber":"${sequenceNumber}","media":{"track":"inbound","chunk":"${chunk}",` +
    `"timestamp":"${timestamp}","payload":"${base64}"},"streamSid":${JSON.stringify(streamSid)}}`
  );
}
