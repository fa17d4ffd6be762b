// Pure serializer for the Twilio Media Streams wire format (bidirectional <Connect><Stream>).
// Parsing never throws: every message becomes either a typed event or a typed rejection with a reason, so the
// media session can count, log and drop bad input without try/catch around each frame.
// Ordering rules that need state (start before media, one stream per connection, increasing sequence
// numbers) live in StreamValidator, still pure and I/O-free.

export const MAX_MESSAGE_BYTES = 16 * 1024;
/** One second of 8 kHz μ-law; Twilio sends 20 ms, but the size is not guaranteed, so accept a generous range. */
export const MAX_MEDIA_BYTES = 8000;

export interface MediaFormat {
  readonly encoding: string;
  readonly sampleRate: number;
  readonly channels: number;
}

export interface ConnectedMessage {
  readonly event: 'connected';
  readonly protocol: string;
  readonly version: string;
}

export interface StartMessage {
  readonly event: 'start';
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly start: {
    readonly accountSid: string;
    readonly streamSid: string;
    readonly callSid: string;
    readonly tracks: readonly string[];
    readonly mediaFormat: MediaFormat;
    readonly customParameters: Readonly<Record<string, string>>;
  };
}

export interface MediaMessage {
  readonly event: 'media';
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly media: {
    readonly track: string;
    readonly chunk: number;
    /** Milliseconds since the stream started. */
    readonly timestamp: number;
    /** Raw μ-law bytes (already base64-decoded). */
    readonly payload: Uint8Array;
  };
}

export interface DtmfMessage {
  readonly event: 'dtmf';
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly dtmf: { readonly track: string; readonly digit: string };
}

export interface MarkMessage {
  readonly event: 'mark';
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly mark: { readonly name: string };
}

export interface StopMessage {
  readonly event: 'stop';
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly stop: { readonly accountSid: string; readonly callSid: string };
}

export type InboundMessage = ConnectedMessage | StartMessage | MediaMessage | DtmfMessage | MarkMessage | StopMessage;
export type InboundMessageName = InboundMessage['event'];

/** Why an inbound Media Streams message was refused (counted per stream; metrics' RejectReason is admission's). */
export type MediaRejectReason =
  | 'oversized'
  | 'binary'
  | 'malformed-json'
  | 'not-object'
  | 'unknown-event'
  | 'invalid-field'
  | 'out-of-order'
  | 'wrong-stream'
  | 'rate';

export interface MediaProtocolError {
  readonly reason: MediaRejectReason;
  /** Human-readable detail; never contains payload bytes or custom parameter values. */
  readonly detail: string;
}

export type ParseResult = { ok: true; event: InboundMessage } | { ok: false; error: MediaProtocolError };

const fail = (reason: MediaRejectReason, detail: string): ParseResult => ({ ok: false, error: { reason, detail } });

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Twilio sends numeric fields as decimal strings; accept plain numbers too, nothing else.
function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

function str(v: unknown, max = 256): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DTMF_DIGIT = /^[0-9*#A-Da-dw]$/;
const SID = /^[A-Z]{2}[0-9a-zA-Z_-]{1,64}$/;

/** Byte length of a UTF-8 string without allocating, capped early for oversized input. */
function tooLong(text: string): boolean {
  if (text.length > MAX_MESSAGE_BYTES) return true;
  return Buffer.byteLength(text, 'utf8') > MAX_MESSAGE_BYTES;
}

export function parseInbound(text: string): ParseResult {
  if (tooLong(text)) return fail('oversized', `message longer than ${MAX_MESSAGE_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('malformed-json', 'not valid JSON');
  }
  if (!isObject(raw)) return fail('not-object', 'top-level value is not an object');
  switch (raw.event) {
    case 'connected':
      return parseConnected(raw);
    case 'start':
      return parseStart(raw);
    case 'media':
      return parseMedia(raw);
    case 'dtmf':
      return parseDtmf(raw);
    case 'mark':
      return parseMark(raw);
    case 'stop':
      return parseStop(raw);
    default:
      return fail('unknown-event', typeof raw.event === 'string' ? 'unknown event name' : 'missing event name');
  }
}

function parseConnected(raw: Json): ParseResult {
  const protocol = str(raw.protocol, 64);
  const version = str(raw.version, 64);
  if (protocol === undefined || version === undefined) return fail('invalid-field', 'connected: protocol/version');
  return { ok: true, event: { event: 'connected', protocol, version } };
}

function common(raw: Json): { sequenceNumber: number; streamSid: string } | string {
  const sequenceNumber = numeric(raw.sequenceNumber);
  if (sequenceNumber === undefined) return 'sequenceNumber';
  const streamSid = str(raw.streamSid, 80);
  if (streamSid === undefined || !SID.test(streamSid)) return 'streamSid';
  return { sequenceNumber, streamSid };
}

function parseStart(raw: Json): ParseResult {
  const c = common(raw);
  if (typeof c === 'string') return fail('invalid-field', `start: ${c}`);
  const s = raw.start;
  if (!isObject(s)) return fail('invalid-field', 'start: start object');
  const accountSid = str(s.accountSid, 80);
  const callSid = str(s.callSid, 80);
  const streamSid = str(s.streamSid, 80);
  if (accountSid === undefined || callSid === undefined || streamSid === undefined)
    return fail('invalid-field', 'start: accountSid/callSid/streamSid');
  if (streamSid !== c.streamSid) return fail('invalid-field', 'start: streamSid differs from envelope');
  const tracks = s.tracks;
  if (!Array.isArray(tracks) || tracks.length > 4 || !tracks.every((t) => str(t, 32) !== undefined))
    return fail('invalid-field', 'start: tracks');
  const mf = s.mediaFormat;
  if (!isObject(mf)) return fail('invalid-field', 'start: mediaFormat');
  const encoding = str(mf.encoding, 64);
  const sampleRate = numeric(mf.sampleRate);
  const channels = numeric(mf.channels);
  if (encoding === undefined || sampleRate === undefined || channels === undefined)
    return fail('invalid-field', 'start: mediaFormat fields');
  if (encoding !== 'audio/x-mulaw' || sampleRate !== 8000 || channels !== 1)
    return fail('invalid-field', 'start: only audio/x-mulaw 8000 Hz mono is supported');
  const cp = s.customParameters ?? {};
  if (!isObject(cp)) return fail('invalid-field', 'start: customParameters');
  const customParameters: Record<string, string> = {};
  const entries = Object.entries(cp);
  if (entries.length > 32) return fail('invalid-field', 'start: too many customParameters');
  for (const [k, v] of entries) {
    if (typeof v !== 'string' || v.length > 1024 || k.length > 128)
      return fail('invalid-field', 'start: customParameters values');
    customParameters[k] = v;
  }
  return {
    ok: true,
    event: {
      event: 'start',
      sequenceNumber: c.sequenceNumber,
      streamSid: c.streamSid,
      start: {
        accountSid,
        streamSid,
        callSid,
        tracks: tracks as string[],
        mediaFormat: { encoding, sampleRate, channels },
        customParameters,
      },
    },
  };
}

function parseMedia(raw: Json): ParseResult {
  const c = common(raw);
  if (typeof c === 'string') return fail('invalid-field', `media: ${c}`);
  const m = raw.media;
  if (!isObject(m)) return fail('invalid-field', 'media: media object');
  const track = str(m.track, 32) ?? 'inbound';
  const chunk = numeric(m.chunk);
  const timestamp = numeric(m.timestamp);
  if (chunk === undefined || timestamp === undefined) return fail('invalid-field', 'media: chunk/timestamp');
  const p = m.payload;
  if (typeof p !== 'string' || p.length === 0) return fail('invalid-field', 'media: payload missing');
  if (p.length > Math.ceil(MAX_MEDIA_BYTES / 3) * 4) return fail('oversized', 'media: payload too large');
  if (!BASE64.test(p)) return fail('invalid-field', 'media: payload is not base64');
  // A Buffer is a Uint8Array; no second copy per frame.
  const payload: Uint8Array = Buffer.from(p, 'base64');
  return {
    ok: true,
    event: {
      event: 'media',
      sequenceNumber: c.sequenceNumber,
      streamSid: c.streamSid,
      media: { track, chunk, timestamp, payload },
    },
  };
}

function parseDtmf(raw: Json): ParseResult {
  const c = common(raw);
  if (typeof c === 'string') return fail('invalid-field', `dtmf: ${c}`);
  const d = raw.dtmf;
  if (!isObject(d)) return fail('invalid-field', 'dtmf: dtmf object');
  const digit = str(d.digit, 1);
  if (digit === undefined || !DTMF_DIGIT.test(digit)) return fail('invalid-field', 'dtmf: digit');
  const track = str(d.track, 32) ?? 'inbound_track';
  return {
    ok: true,
    event: { event: 'dtmf', sequenceNumber: c.sequenceNumber, streamSid: c.streamSid, dtmf: { track, digit } },
  };
}

function parseMark(raw: Json): ParseResult {
  const c = common(raw);
  if (typeof c === 'string') return fail('invalid-field', `mark: ${c}`);
  const m = raw.mark;
  if (!isObject(m)) return fail('invalid-field', 'mark: mark object');
  const name = str(m.name, 256);
  if (name === undefined) return fail('invalid-field', 'mark: name');
  return {
    ok: true,
    event: { event: 'mark', sequenceNumber: c.sequenceNumber, streamSid: c.streamSid, mark: { name } },
  };
}

function parseStop(raw: Json): ParseResult {
  const c = common(raw);
  if (typeof c === 'string') return fail('invalid-field', `stop: ${c}`);
  const s = raw.stop;
  if (!isObject(s)) return fail('invalid-field', 'stop: stop object');
  const accountSid = str(s.accountSid, 80);
  const callSid = str(s.callSid, 80);
  if (accountSid === undefined || callSid === undefined) return fail('invalid-field', 'stop: accountSid/callSid');
  return {
    ok: true,
    event: { event: 'stop', sequenceNumber: c.sequenceNumber, streamSid: c.streamSid, stop: { accountSid, callSid } },
  };
}

/** Wire form of an inbound event, exactly as Twilio sends it (numbers as strings). Used by the simulator. */
export function serializeInbound(e: InboundMessage): string {
  switch (e.event) {
    case 'connected':
      return JSON.stringify({ event: 'connected', protocol: e.protocol, version: e.version });
    case 'start':
      return JSON.stringify({
        event: 'start',
        sequenceNumber: String(e.sequenceNumber),
        start: {
          accountSid: e.start.accountSid,
          streamSid: e.start.streamSid,
          callSid: e.start.callSid,
          tracks: e.start.tracks,
          mediaFormat: e.start.mediaFormat,
          customParameters: e.start.customParameters,
        },
        streamSid: e.streamSid,
      });
    case 'media':
      return JSON.stringify({
        event: 'media',
        sequenceNumber: String(e.sequenceNumber),
        media: {
          track: e.media.track,
          chunk: String(e.media.chunk),
          timestamp: String(e.media.timestamp),
          payload: Buffer.from(e.media.payload.buffer, e.media.payload.byteOffset, e.media.payload.byteLength).toString(
            'base64',
          ),
        },
        streamSid: e.streamSid,
      });
    case 'dtmf':
      return JSON.stringify({
        event: 'dtmf',
        streamSid: e.streamSid,
        sequenceNumber: String(e.sequenceNumber),
        dtmf: { track: e.dtmf.track, digit: e.dtmf.digit },
      });
    case 'mark':
      return JSON.stringify({
        event: 'mark',
        sequenceNumber: String(e.sequenceNumber),
        streamSid: e.streamSid,
        mark: { name: e.mark.name },
      });
    case 'stop':
      return JSON.stringify({
        event: 'stop',
        sequenceNumber: String(e.sequenceNumber),
        stop: { accountSid: e.stop.accountSid, callSid: e.stop.callSid },
        streamSid: e.streamSid,
      });
  }
}

// ---- server -> Twilio ----

export type OutboundMessage =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

// Fifty of these per second per call: concatenation instead of JSON.stringify of a fresh object tree. Safe because
// base64 needs no escaping and the streamSid is escaped once (it came from a validated `start`).
export function buildMedia(streamSid: string, mulaw: Uint8Array): string {
  const payload = Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64');
  return `${mediaPrefix(streamSid)}${payload}"}}`;
}

/** Everything of a media message before its payload; a session computes it once per stream. */
export function mediaPrefix(streamSid: string): string {
  return `{"event":"media","streamSid":${JSON.stringify(streamSid)},"media":{"payload":"`;
}

export function buildMark(streamSid: string, name: string): string {
  return JSON.stringify({ event: 'mark', streamSid, mark: { name } });
}

export function buildClear(streamSid: string): string {
  return JSON.stringify({ event: 'clear', streamSid });
}

/** Parses what the server sends (the simulator's side of the wire). */
export function parseOutbound(text: string): OutboundMessage | MediaProtocolError {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { reason: 'malformed-json', detail: 'not valid JSON' };
  }
  if (!isObject(raw)) return { reason: 'not-object', detail: 'top-level value is not an object' };
  const streamSid = str(raw.streamSid, 80);
  if (streamSid === undefined) return { reason: 'invalid-field', detail: 'streamSid' };
  if (raw.event === 'clear') return { event: 'clear', streamSid };
  if (raw.event === 'mark' && isObject(raw.mark) && str(raw.mark.name) !== undefined)
    return { event: 'mark', streamSid, mark: { name: raw.mark.name as string } };
  if (
    raw.event === 'media' &&
    isObject(raw.media) &&
    typeof raw.media.payload === 'string' &&
    BASE64.test(raw.media.payload)
  )
    return { event: 'media', streamSid, media: { payload: raw.media.payload } };
  return { reason: raw.event === undefined ? 'invalid-field' : 'unknown-event', detail: 'not media/mark/clear' };
}
