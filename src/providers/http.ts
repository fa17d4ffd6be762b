import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';

// The HTTP connections to the LLM and TTS vendors. A phone agent makes one chat request and one TTS request per
// sentence every few seconds for minutes; Node's default fetch agent drops an idle connection after 4 s, so
// nearly every turn paid a new TCP (and, against the real services, TLS) handshake on the critical path, and the
// connect's extra event-loop turn let other work of the call run before the request left. One keep-alive agent
// per provider instance, shared by all calls, keeps the sockets open across turns; `warm()` on the providers
// opens them before the first turn (at start-up and when a call starts). Nagle is off: undici's connector sets
// TCP_NODELAY on every socket, so a small request leaves at once.

export interface KeepAliveOptions {
  /** How long an idle socket is kept (a server's own shorter `Keep-Alive: timeout` hint still wins). */
  idleMs?: number;
  /** Sockets per origin: calls in parallel each need their own while a response streams. */
  connections?: number;
}

export type FetchLike = typeof fetch;

export interface KeepAliveHttp {
  /** A WHATWG fetch bound to the keep-alive agent (what the vendors' SDKs accept as `fetch`). */
  readonly fetch: FetchLike;
  close(): Promise<void>;
}

export const KEEP_ALIVE_IDLE_MS = 60_000;

export function keepAliveHttp(opts: KeepAliveOptions = {}): KeepAliveHttp {
  const agent: Dispatcher = new Agent({
    keepAliveTimeout: opts.idleMs ?? KEEP_ALIVE_IDLE_MS,
    keepAliveMaxTimeout: Math.max(opts.idleMs ?? KEEP_ALIVE_IDLE_MS, 600_000),
    ...(opts.connections !== undefined ? { connections: opts.connections } : {}),
  });
  // undici's fetch returns its own Request/Response classes; both SDKs only use the WHATWG surface of them.
  const bound = ((input: Parameters<FetchLike>[0], init?: Parameters<FetchLike>[1]) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    })) as unknown as FetchLike;
  return { fetch: bound, close: () => agent.close() };
}

/**
 * Whether a warm-up request is worth sending: not when the connection was used moments ago (it is open), and
 * not once per call when many calls start together (one warm-up covers them all; vendors rate-limit).
 */
export class Warmth {
  #lastAt = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly freshMs = 20_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A real request (or a warm-up) just used the connection. */
  used(): void {
    this.#lastAt = this.now();
  }

  /** True (and counts as a use) when the connection may have gone cold since it was last used. */
  due(): boolean {
    if (this.now() - this.#lastAt < this.freshMs) return false;
    this.used();
    return true;
  }
}
