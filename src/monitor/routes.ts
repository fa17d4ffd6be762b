import { readFileSync } from 'node:fs';
import { isJsonMediaType } from '../http/request-policy.js';
import { errorResponse, json, type HttpRequest, type HttpResponse, type Route } from '../http/types.js';
import type { LoginThrottle } from '../http/auth.js';
import type { Logger } from '../log.js';
import { pageGuard } from '../review/guard.js';
import type { MonitorHub } from './hub.js';
import { monitorPage } from './page.js';
import { LISTEN_PROTOCOL, LISTEN_TICKET_TTL_MS, TICKET_PROTOCOL_PREFIX, type ListenTickets } from './ticket.js';

// The live monitor's HTTP side (docs/monitor.md): the page, its script, the event stream (Server-Sent Events), a
// listen-in ticket and the hang-up. Every route signs in like the review pages (API_TOKEN as bearer token or Basic
// password, one login throttle). The two POSTs change something, so besides the dispatcher's refusal of requests
// from other sites (Sec-Fetch-Site / Origin, src/http/request-policy.ts) they take only application/json, which no
// cross-site form or no-cors fetch can send. Listening in and hanging up are logged with the call id and nothing
// about the person or the gym.

export interface MonitorRouteOptions {
  readonly hub: MonitorHub;
  readonly tickets: ListenTickets;
  readonly apiToken: string | undefined;
  readonly logins: LoginThrottle;
  readonly log: Logger;
}

const SCRIPT = readFileSync(new URL('./assets/monitor.js', import.meta.url), 'utf8');

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
// Scripts only from this origin (the one file below), no inline script; connections (the event stream, the
// listen-in WebSocket, the POSTs) only to this origin; inline styles as the review pages have them.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

export function monitorRoutes(o: MonitorRouteOptions): Route[] {
  const guard = pageGuard(o, 'live monitor');
  const signedIn =
    (fn: (req: HttpRequest, p: Readonly<Record<string, string>>) => HttpResponse) =>
    (req: HttpRequest, p: Readonly<Record<string, string>>): Promise<HttpResponse> =>
      guard(req, async () => fn(req, p));
  // A POST about one call: signed in, and a JSON body (an empty object is enough), which no cross-site form or
  // no-cors fetch can send.
  const callAction = (fn: (callId: string) => HttpResponse) =>
    signedIn((req, p) => {
      const type = req.headers['content-type'];
      if (type === undefined || !isJsonMediaType(type))
        return errorResponse('UNSUPPORTED_MEDIA_TYPE', 'send a JSON body (content-type: application/json), e.g. {}');
      return fn(p.id ?? '');
    });
  return [
    {
      method: 'GET',
      pattern: '/monitor',
      auth: 'none',
      handler: signedIn(() => ({
        status: 200,
        headers: {
          ...SECURITY_HEADERS,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': PAGE_CSP,
        },
        body: monitorPage(o.hub.replica),
      })),
    },
    {
      method: 'GET',
      pattern: '/monitor/monitor.js',
      auth: 'none',
      handler: signedIn(() => ({
        status: 200,
        headers: { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' },
        body: SCRIPT,
      })),
    },
    {
      method: 'GET',
      pattern: '/monitor/events',
      auth: 'none',
      handler: signedIn(() => ({
        status: 200,
        headers: {
          ...SECURITY_HEADERS,
          'content-type': 'text/event-stream; charset=utf-8',
          // Proxies that buffer responses (nginx) must pass each event on at once.
          'x-accel-buffering': 'no',
        },
        stream: (out) => {
          if (!o.hub.subscribe(out)) {
            out.write('event: full\ndata: {}\n\n');
            out.end();
          }
        },
      })),
    },
    {
      method: 'POST',
      pattern: '/monitor/calls/:id/listen',
      auth: 'none',
      handler: callAction((callId) => {
        if (!o.hub.isLive(callId)) return notLive();
        return json(201, {
          ticket: o.tickets.issue(callId),
          // The WebSocket's subprotocols: the page's, and the ticket (kept out of the URL and so out of access logs).
          protocols: [LISTEN_PROTOCOL, `${TICKET_PROTOCOL_PREFIX}<ticket>`],
          expires_in_s: LISTEN_TICKET_TTL_MS / 1000,
        });
      }),
    },
    {
      method: 'POST',
      pattern: '/monitor/calls/:id/hangup',
      auth: 'none',
      handler: callAction((callId) => {
        if (!o.hub.hangUp(callId)) return notLive();
        o.log.info({ callId, by: 'monitor' }, 'operator hung up a call from the live monitor');
        return json(202, { call_id: callId, hanging_up: true });
      }),
    },
  ];
}

function notLive(): HttpResponse {
  return errorResponse(
    'NOT_FOUND',
    'that call is not live on this replica (it ended, or another replica runs it: see docs/monitor.md)',
  );
}
