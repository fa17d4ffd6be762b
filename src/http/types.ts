// The app's HTTP surface is a list of routes with plain, transport-free handlers: the uWebSockets.js server
// (src/telephony) copies each request into an HttpRequest before any await and writes the HttpResponse back.
// Concern modules (db read API, ops, review page) export routes; they never touch uWS directly.

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
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Express-style pattern: /v1/calls/:id */
  pattern: string;
  /** Routes under /v1 require the bearer token when API_TOKEN is set; webhooks verify Twilio signatures instead. */
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
