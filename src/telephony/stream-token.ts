import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

// The media stream's proof that it belongs to the call our voice webhook admitted. Twilio signs the WebSocket
// upgrade over a URL that is the same for every stream, so that signature says "Twilio, some time" and nothing
// about which call: a captured handshake could otherwise be replayed as any call. The webhook therefore mints a
// token over exactly what the stream may be (its callSid and account, every other <Parameter> we put in the TwiML,
// an expiry) and puts it in the TwiML as one more <Parameter>; the stream's `start` must carry it unchanged.
// HMAC-SHA256 under a key derived from the Twilio auth token, so every replica on the same account verifies the
// tokens of every other one.

/** The <Parameter> that carries the token. */
export const STREAM_TOKEN_PARAM = 'streamToken';
/** Twilio opens the stream a second or two after it fetched the TwiML; anything later is a replay. */
export const STREAM_TOKEN_TTL_MS = 30_000;

export interface StreamClaim {
  readonly callSid: string;
  readonly accountSid: string;
  /** Every <Parameter> of the TwiML except the token itself (callId, direction, gymName...). */
  readonly parameters: Readonly<Record<string, string>>;
}

export type TokenCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/** The signing key: derived from the Twilio auth token, or random when there is none (then no webhook verifies). */
export function streamTokenKey(twilioAuthToken: string | undefined): Buffer {
  if (twilioAuthToken === undefined || twilioAuthToken === '') return randomBytes(32);
  return Buffer.from(hkdfSync('sha256', twilioAuthToken, 'gym-call-agent', 'media-stream-token/v1', 32));
}

export class StreamTokens {
  readonly #key: Buffer;
  readonly #ttlMs: number;

  constructor(key: Buffer, ttlMs = STREAM_TOKEN_TTL_MS) {
    if (key.length < 32) throw new RangeError('stream token key must be at least 32 bytes');
    this.#key = key;
    this.#ttlMs = ttlMs;
  }

  /** `<expiry in epoch seconds>.<base64url MAC>`. */
  mint(claim: StreamClaim, nowMs = Date.now()): string {
    const exp = Math.ceil((nowMs + this.#ttlMs) / 1000);
    return `${exp}.${this.#mac(claim, exp).toString('base64url')}`;
  }

  verify(token: string | undefined, claim: StreamClaim, nowMs = Date.now()): TokenCheck {
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (m === null) return { ok: false, reason: 'malformed' };
    const exp = Number(m[1]);
    // The MAC is checked before the expiry, so an expired token says "expired" only when it was once genuine.
    const given = Buffer.from(m[2] ?? '', 'base64url');
    const expected = this.#mac(claim, exp);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
    if (exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
    return { ok: true };
  }

  #mac(claim: StreamClaim, exp: number): Buffer {
    // JSON of sorted pairs: unambiguous whatever the values contain (no separator can be smuggled in).
    const params = Object.entries(claim.parameters)
      .filter(([k]) => k !== STREAM_TOKEN_PARAM)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const body = JSON.stringify(['v1', exp, claim.callSid, claim.accountSid, params]);
    return createHmac('sha256', this.#key).update(body).digest();
  }
}
