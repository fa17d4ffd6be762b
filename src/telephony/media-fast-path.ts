import { MAX_MEDIA_BYTES, MAX_MESSAGE_BYTES } from './serializer.js';

// The fast path for Twilio's media message, the one message that arrives 50 times a second per call. The strict
// parser (serializer.ts parseInbound) stays the definition of what is accepted; this only recognises the exact
// layout Twilio sends and declines everything else (test/telephony/fast-path.test.ts checks both).

/** A media message parsed by the fast path: its payload is decoded into the caller's buffer. */
export interface FastMedia {
  readonly sequenceNumber: number;
  readonly chunk: number;
  readonly timestamp: number;
  readonly track: string;
  /** Payload bytes written at the start of the `into` buffer. */
  readonly length: number;
}

const MEDIA_HEAD = '{"event":"media","sequenceNumber":"';
const TRACK = /^[A-Za-z_]{1,32}$/;

/**
 * The fast path for the one message that arrives 50 times a second per call: Twilio's media message in its exact
 * wire layout (`{"event":"media","sequenceNumber":"…","media":{"track":"…","chunk":"…","timestamp":"…","payload":"…"},
 * "streamSid":"…"}`) on the expected stream, read by position, with the payload base64-decoded into `into` (no
 * JSON object tree, no allocation but the track string). Anything else, including every variation in spacing,
 * key order or escaping, returns undefined and goes through parseInbound, which has the same acceptance rules.
 */
export function parseMediaFast(text: string, streamSidJson: string, into: Buffer): FastMedia | undefined {
  if (text.length > MAX_MESSAGE_BYTES || !text.startsWith(MEDIA_HEAD)) return undefined;
  const seqEnd = digits(text, MEDIA_HEAD.length);
  if (seqEnd < 0) return undefined;
  const sequenceNumber = digitsValue;
  if (!text.startsWith('","media":{"track":"', seqEnd)) return undefined;
  const t0 = seqEnd + 20;
  const t1 = text.indexOf('"', t0);
  if (t1 <= t0 || t1 - t0 > 32) return undefined;
  const track = text.slice(t0, t1);
  if (!TRACK.test(track) || !text.startsWith('","chunk":"', t1)) return undefined;
  const chunkEnd = digits(text, t1 + 11);
  if (chunkEnd < 0 || !text.startsWith('","timestamp":"', chunkEnd)) return undefined;
  const chunk = digitsValue;
  const tsEnd = digits(text, chunkEnd + 15);
  if (tsEnd < 0 || !text.startsWith('","payload":"', tsEnd)) return undefined;
  const timestamp = digitsValue;
  const p0 = tsEnd + 13;
  const p1 = text.indexOf('"', p0);
  const n = p1 - p0;
  if (p1 < 0 || n === 0 || n % 4 !== 0 || n > Math.ceil(MAX_MEDIA_BYTES / 3) * 4) return undefined;
  const tailLength = 15 + streamSidJson.length; // },"streamSid":…}
  if (
    text.length !== p1 + 1 + tailLength ||
    !text.startsWith('},"streamSid":', p1 + 1) ||
    !text.startsWith(streamSidJson, p1 + 15) ||
    text.charCodeAt(text.length - 1) !== 125
  )
    return undefined;
  // Node's decoder skips characters outside the alphabet (so the length comes out short) and also accepts the
  // URL-safe alphabet, which Twilio never uses: both go to the strict parser.
  const pad = text.charCodeAt(p1 - 1) === 61 ? (text.charCodeAt(p1 - 2) === 61 ? 2 : 1) : 0;
  const payload = text.slice(p0, p1);
  if (payload.includes('-') || payload.includes('_')) return undefined;
  const length = into.write(payload, 0, 'base64');
  if (length !== (n / 4) * 3 - pad) return undefined;
  return { sequenceNumber, chunk, timestamp, track, length };
}

let digitsValue = 0;

/** 1-15 decimal digits at `i` followed by a quote, as numeric() accepts them: the quote's index (value in
 * digitsValue), or -1. */
function digits(text: string, i: number): number {
  let v = 0;
  let j = i;
  for (; j < text.length && j - i <= 15; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  if (j === i || j - i > 15 || text.charCodeAt(j) !== 34) return -1;
  digitsValue = v;
  return j;
}
