import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// The listen-in WebSocket's proof that a signed-in person asked for it. A browser's WebSocket cannot send an
// Authorization header, and whether it resends the page's Basic credentials on the handshake differs by browser; so
// the page, signed in, POSTs for a ticket and offers it as a WebSocket subprotocol (never in the URL, where proxies
// and access logs would keep it). The ticket is the approach of the media stream's token (telephony/stream-token.ts):
// an HMAC-SHA256 over exactly what it allows (this call, until this expiry) with a random nonce, checked in constant
// time. Unlike the stream token it is used once, and its key is random per process: a call's audio exists only on
// the replica that runs the call, so a ticket that other replicas accept would be good for nothing.

export const LISTEN_TICKET_TTL_MS = 30_000;
/** The subprotocol the page offers beside its ticket, and that the server answers with. */
export const LISTEN_PROTOCOL = 'gym-monitor-listen.v1';
/** Prefix of the subprotocol that carries the ticket. */
export const TICKET_PROTOCOL_PREFIX = 'ticket.';

export type TicketCheck = { ok: true } | { ok: false; reason: 'malformed' | 'mismatch' | 'expired' | 'used' };

const TICKET = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export class ListenTickets {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Nonces of tickets already used, until they expire (bounded by how many tickets can be issued in a TTL). */
  readonly #used = new Map<string, number>();

  constructor(o: { ttlMs?: number; key?: Buffer; now?: () => number } = {}) {
    this.#key = o.key ?? randomBytes(32);
    this.#ttlMs = o.ttlMs ?? LISTEN_TICKET_TTL_MS;
    this.#now = o.now ?? Date.now;
  }

  /** `<expiry in epoch seconds>.<nonce>.<MAC>`, all base64url or digits: a valid subprotocol token. */
  issue(callId: string, nowMs = this.#now()): string {
    const exp = Math.ceil((nowMs + this.#ttlMs) / 1000);
    const nonce = randomBytes(16).toString('base64url');
    return `${exp}.${nonce}.${this.#mac(callId, exp, nonce).toString('base64url')}`;
  }

  /** Checks the ticket for `callId` and, when good, spends it. */
  redeem(ticket: string, callId: string, nowMs = this.#now()): TicketCheck {
    const m = TICKET.exec(ticket);
    if (m === null) return { ok: false, reason: 'malformed' };
    const exp = Number(m[1]);
    const nonce = m[2] as string;
    const given = Buffer.from(m[3] as string, 'base64url');
    const expected = this.#mac(callId, exp, nonce);
    // The MAC first: "expired" and "used" are only ever said of a ticket this process issued for this call.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
    if (exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
    this.#forgetExpired(nowMs);
    if (this.#used.has(nonce)) return { ok: false, reason: 'used' };
    this.#used.set(nonce, exp * 1000);
    return { ok: true };
  }

  #forgetExpired(nowMs: number): void {
    for (const [nonce, until] of this.#used) if (until <= nowMs) this.#used.delete(nonce);
  }

  #mac(callId: string, exp: number, nonce: string): Buffer {
    return createHmac('sha256', this.#key)
      .update(JSON.stringify(['listen/v1', exp, callId, nonce]))
      .digest();
  }
}

/** The ticket among a handshake's offered subprotocols (Sec-WebSocket-Protocol: a, b), if the page's protocol is there. */
export function ticketOf(protocolHeader: string | undefined): string | undefined {
  const offered = (protocolHeader ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(LISTEN_PROTOCOL)) return undefined;
  return offered.find((p) => p.startsWith(TICKET_PROTOCOL_PREFIX))?.slice(TICKET_PROTOCOL_PREFIX.length);
}
