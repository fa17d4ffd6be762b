import { timingSafeEqual } from 'node:crypto';
import { ERROR_CODES, isAppError, type ErrorCode } from '../errors.js';
import { jsonError, type HttpRequest, type HttpResponse, type Route } from '../http/types.js';
import type { Logger } from '../log.js';
import { compileRoute, matchRoute, type CompiledRoute } from './router.js';
import { formParams, publicUrl, verifyWebhook } from './signature.js';

// Transport-free request handling: route match, auth (bearer token / Twilio signature) and error mapping. The
// uWS server only copies the request in and writes the response out. Rate limiting is a route wrapper
// (ops/rate-limit.ts withRateLimit) applied by whoever assembles the route list.

export interface DispatchOptions {
  readonly routes: readonly Route[];
  readonly apiToken: string | undefined;
  readonly twilioAuthToken: string | undefined;
  readonly publicBaseUrl: string | undefined;
  readonly log: Logger;
}

export class Dispatcher {
  readonly #o: DispatchOptions;
  readonly #routes: CompiledRoute[];

  constructor(o: DispatchOptions) {
    this.#o = o;
    this.#routes = o.routes.map(compileRoute);
  }

  /** `rawQuery` is the query string exactly as received (without '?'): Twilio signs it byte for byte. */
  async handle(req: HttpRequest, rawQuery = req.query.toString()): Promise<HttpResponse> {
    const m = matchRoute(this.#routes, req.method, req.path);
    if (m.kind === 'not-found') return errorResponse('NOT_FOUND', 'no such route');
    if (m.kind === 'method-not-allowed')
      return jsonError(405, 'BAD_ARGUMENT', 'method not allowed', { allow: m.allow.join(', ') });
    const denied = this.#authorize(m.route, req, rawQuery);
    if (denied !== undefined) return denied;
    try {
      return await m.route.handler(req, m.params);
    } catch (e) {
      if (isAppError(e)) {
        if (ERROR_CODES[e.code].http >= 500) this.#o.log.error({ err: e, code: e.code }, 'route failed');
        return errorResponse(e.code, e.message, e.status);
      }
      this.#o.log.error({ err: e, route: m.route.pattern }, 'route threw an unexpected error');
      return errorResponse('INTERNAL', 'internal error');
    }
  }

  #authorize(route: Route, req: HttpRequest, rawQuery: string): HttpResponse | undefined {
    if (route.auth === 'twilio-signature') {
      const base = this.#o.publicBaseUrl;
      const url = base === undefined ? '' : publicUrl(base, req.path + (rawQuery === '' ? '' : `?${rawQuery}`));
      const check =
        base === undefined
          ? ({ ok: false, reason: 'not-configured' } as const)
          : verifyWebhook(this.#o.twilioAuthToken, req.headers['x-twilio-signature'], url, formParams(req.body));
      if (check.ok) return undefined;
      if (check.reason === 'not-configured')
        this.#o.log.error('Twilio webhook refused: TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL must both be set');
      else this.#o.log.warn({ reason: check.reason, path: req.path }, 'Twilio webhook signature rejected');
      // 403 and nothing else happens: the body says nothing about why.
      return { status: 403, headers: { 'content-type': 'text/plain' }, body: 'forbidden' };
    }
    if (route.auth === 'api-token') {
      const token = this.#o.apiToken;
      if (token !== undefined && !bearerMatches(req.headers.authorization, token))
        return errorResponse('UNAUTHORIZED', 'missing or wrong bearer token', undefined, {
          'www-authenticate': 'Bearer',
        });
    }
    return undefined;
  }
}

export function errorResponse(
  code: ErrorCode,
  message: string,
  status?: number,
  headers: Record<string, string> = {},
): HttpResponse {
  return jsonError(status ?? ERROR_CODES[code].http, code, message, headers);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (m === null) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
