import { ERROR_CODES, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import { bearerCredentials, type LoginThrottle } from './auth.js';
import type { RequestPolicy } from './request-policy.js';
import { compileRoute, matchRoute, type CompiledRoute } from './router.js';
import { errorResponse, jsonError, type HttpRequest, type HttpResponse, type Route } from './types.js';

// Transport-free request handling, in this order: the Host header (DNS rebinding), route match, cross-site
// browser requests, JSON-only bodies for the API, auth (bearer token with the failed-login throttle, or the
// webhook verifier the telephony server supplies), then the handler with error mapping. uws-http.ts only copies
// the request in and writes the response out. Rate limiting is a route wrapper (rate-limit.ts withRateLimit)
// applied by whoever assembles the route list.

export interface DispatchOptions {
  readonly routes: readonly Route[];
  readonly apiToken: string | undefined;
  readonly policy: RequestPolicy;
  readonly logins: LoginThrottle;
  /** Checks a 'twilio-signature' route's request; without one those routes answer 403. */
  readonly verifyWebhook?: ((req: HttpRequest, rawQuery: string) => boolean) | undefined;
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
    if (!this.#o.policy.hostAllowed(req.headers.host))
      return errorResponse('HOST_NOT_ALLOWED', 'this server does not answer for that Host; see ALLOWED_HOSTS');
    // HEAD is GET without the body (the transport drops it and keeps the length).
    const m = matchRoute(this.#routes, req.method === 'HEAD' ? 'GET' : req.method, req.path);
    if (m.kind === 'not-found') return errorResponse('NOT_FOUND', 'no such route');
    if (m.kind === 'method-not-allowed') {
      const allow = m.allow.includes('GET') ? [...m.allow, 'HEAD'] : m.allow;
      return jsonError(405, 'BAD_ARGUMENT', 'method not allowed', { allow: allow.join(', ') });
    }
    const refused = this.#refuse(m.route, req, rawQuery);
    if (refused !== undefined) return refused;
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

  #refuse(route: Route, req: HttpRequest, rawQuery: string): HttpResponse | undefined {
    if (route.auth === 'twilio-signature') {
      // Twilio sends neither Origin nor Fetch Metadata, and its bodies are forms: the signature is the check.
      if (this.#o.verifyWebhook?.(req, rawQuery) === true) return undefined;
      // 403 and nothing else happens: the body says nothing about why.
      return { status: 403, headers: { 'content-type': 'text/plain' }, body: 'forbidden' };
    }
    if (this.#o.policy.crossSite(req))
      return errorResponse('CROSS_SITE_REQUEST', 'requests from other sites are refused');
    if (route.auth !== 'api-token') return undefined;
    if (this.#o.policy.nonJsonBody(req))
      return errorResponse('UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON (content-type: application/json)');
    const token = this.#o.apiToken;
    if (token === undefined) return undefined; // loopback only (config/index.ts)
    const a = this.#o.logins.attempt(req, (h) => bearerCredentials(h, token), 'api');
    if (a.kind === 'throttled')
      return errorResponse('RATE_LIMITED', 'too many wrong tokens from this address; retry later', undefined, {
        'retry-after': String(a.retryAfterS),
      });
    if (a.kind === 'ok') return undefined;
    return errorResponse('UNAUTHORIZED', 'missing or wrong bearer token', undefined, { 'www-authenticate': 'Bearer' });
  }
}
