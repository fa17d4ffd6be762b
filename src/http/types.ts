import { ERROR_CODES, type ErrorCode } from '../errors.js';

// The app's HTTP surface is a list of routes with plain, transport-free handlers: the uWebSockets.js adapter
// (uws-http.ts) copies each request into an HttpRequest before any await and writes the HttpResponse back.
// Concern modules (calls API, db read API, ops, review page, Twilio webhooks) export routes; they never touch uWS.

export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, e.g. /v1/calls/123. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly remoteIp: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * A body written as things happen (Server-Sent Events), instead of `body`: called once the status and headers
   * are out, with the response's stream, which stays open until either side ends it.
   */
  stream?: ((out: ResponseStream) => void) | undefined;
}

/** A response body still being written (uws-http.ts). */
export interface ResponseStream {
  /** Writes now; false when the client is slow and the chunk had to be buffered: wait for `onWritable`. */
  write(chunk: string): boolean;
  /** `fn` runs each time what was buffered has left for the client. */
  onWritable(fn: () => void): void;
  /** `fn` runs once, when the client went away or end() ran. */
  onClose(fn: () => void): void;
  end(): void;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Express-style pattern: /v1/calls/:id */
  pattern: string;
  /**
   * 'api-token': bearer API_TOKEN when set (the server then listens on loopback only, config/index.ts), JSON bodies
   * only. 'twilio-signature': the webhook verifier the telephony server hands the dispatcher. 'none': the route
   * checks for itself (review page) or is public (health).
   */
  auth: 'api-token' | 'twilio-signature' | 'none';
  handler(req: HttpRequest, params: Readonly<Record<string, string>>): Promise<HttpResponse>;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** JSON error body shape used by every route: {"error": {"code", "message"}}. */
export function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return json(status, { error: { code, message } }, headers);
}

/** An error from the catalogue (src/errors.ts), with its HTTP status unless one is given. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  status?: number,
  headers: Record<string, string> = {},
): HttpResponse {
  return jsonError(status ?? ERROR_CODES[code].http, code, message, headers);
}
