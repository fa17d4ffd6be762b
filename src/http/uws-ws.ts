import { STATUS_CODES } from 'node:http';
import type { HttpRequest as UwsRequest, HttpResponse as UwsResponse, TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { Logger } from '../log.js';
import type { RequestPolicy } from './request-policy.js';

// WebSockets a browser opens to us (the live monitor's listen-in), as transport-free routes like the HTTP ones: the
// route decides at the upgrade from the request's path parameters and headers, and then only pushes bytes. This
// adapter refuses, before the route sees the request, what the HTTP dispatcher refuses: a Host this server does not
// answer to (DNS rebinding) and a page of another site (cross-site WebSocket hijacking: browsers send Origin and
// Sec-Fetch-Site on every handshake). uWS rules followed: the request is read before the upgrade callback returns,
// sends are corked, and nothing touches a socket after its close.

export type PushResult = 'ok' | 'backpressure' | 'dropped' | 'closed';

/** The socket as a route sees it. */
export interface PushSocket {
  send(bytes: Uint8Array): PushResult;
  /** Bytes accepted but not yet written to the client. */
  bufferedAmount(): number;
  end(code: number, reason: string): void;
}

export interface SocketEvents {
  /** What was buffered has left: sending may go on. */
  drain?(): void;
  /** Closed by either side; the socket must not be used any more. */
  closed(): void;
}

export interface UpgradeRequest {
  /** The pattern's named parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
}

export type UpgradeDecision =
  | { ok: false; status: number; message: string }
  /** `protocol`: the subprotocol to answer with (one the client offered). */
  | { ok: true; protocol?: string; open(socket: PushSocket): SocketEvents };

export interface SocketRoute {
  /** uWS pattern with named parameters, e.g. /monitor/calls/:id/listen. */
  readonly pattern: string;
  /** Bytes uWS may hold for a slow client before it drops a send (the route should stop well before). */
  readonly maxBackpressure: number;
  upgrade(req: UpgradeRequest): UpgradeDecision;
}

interface SocketData {
  open: (socket: PushSocket) => SocketEvents;
  events: SocketEvents | undefined;
  live: boolean;
}

export function serveSockets(app: TemplatedApp, routes: readonly SocketRoute[], policy: RequestPolicy, log: Logger) {
  for (const route of routes) {
    const names = route.pattern
      .split('/')
      .filter((s) => s.startsWith(':'))
      .map((s) => s.slice(1));
    app.ws<SocketData>(route.pattern, {
      maxPayloadLength: 1024,
      maxBackpressure: route.maxBackpressure,
      idleTimeout: 60,
      sendPingsAutomatically: true,
      upgrade: (res, req, ctx) => upgrade(res, req, ctx, route, names, policy, log),
      open: (ws) => {
        const d = ws.getUserData();
        d.events = d.open(pushSocket(ws));
      },
      drain: (ws) => ws.getUserData().events?.drain?.(),
      close: (ws) => {
        const d = ws.getUserData();
        d.live = false;
        d.events?.closed();
      },
    });
  }
}

function upgrade(
  res: UwsResponse,
  req: UwsRequest,
  ctx: unknown,
  route: SocketRoute,
  names: readonly string[],
  policy: RequestPolicy,
  log: Logger,
): void {
  const headers: Record<string, string> = {};
  req.forEach((k, v) => {
    headers[k] = v;
  });
  const refuse = (status: number, message: string): void => {
    res.cork(() => {
      res.writeStatus(`${status} ${STATUS_CODES[status] ?? ''}`).end(message);
    });
  };
  if (!policy.hostAllowed(headers.host)) return refuse(421, 'this server does not answer for that Host');
  if (policy.crossSite({ method: 'GET', headers })) return refuse(403, 'requests from other sites are refused');
  const params: Record<string, string> = {};
  try {
    names.forEach((n, i) => (params[n] = decodeURIComponent(req.getParameter(i) ?? '')));
  } catch {
    return refuse(400, 'bad path');
  }
  const d = route.upgrade({ params, headers });
  if (!d.ok) {
    log.debug({ route: route.pattern, status: d.status }, 'websocket upgrade refused');
    return refuse(d.status, d.message);
  }
  const data: SocketData = { open: d.open, events: undefined, live: true };
  res.cork(() => {
    res.upgrade(
      data,
      headers['sec-websocket-key'] ?? '',
      d.protocol ?? '',
      headers['sec-websocket-extensions'] ?? '',
      ctx as Parameters<UwsResponse['upgrade']>[4],
    );
  });
}

function pushSocket(ws: WebSocket<SocketData>): PushSocket {
  const d = ws.getUserData();
  return {
    send: (bytes) => {
      if (!d.live) return 'closed';
      let r = 1;
      ws.cork(() => {
        r = ws.send(bytes, true);
      });
      // uWS: 1 sent, 0 buffered under backpressure, 2 dropped over maxBackpressure.
      return r === 1 ? 'ok' : r === 0 ? 'backpressure' : 'dropped';
    },
    bufferedAmount: () => (d.live ? ws.getBufferedAmount() : 0),
    end: (code, reason) => {
      if (d.live) ws.end(code, reason);
    },
  };
}
