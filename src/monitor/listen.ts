import type { SocketRoute } from '../http/uws-ws.js';
import type { Logger } from '../log.js';
import type { MonitorHub } from './hub.js';
import { LISTEN_PROTOCOL, ticketOf, type ListenTickets } from './ticket.js';

// WS /monitor/calls/:id/listen: both legs of one call (listening.ts has the message format). The handshake must
// offer the page's subprotocol and a ticket for this very call, issued moments ago by POST /monitor/calls/:id/listen
// and not used before (ticket.ts); Host and site are checked by the adapter first (src/http/uws-ws.ts).

export const LISTEN_PATH = '/monitor/calls/:id/listen';

export function listenSocket(hub: MonitorHub, tickets: ListenTickets, log: Logger): SocketRoute {
  return {
    pattern: LISTEN_PATH,
    // uWS drops sends beyond this; listening.ts stops sending at MAX_BUFFERED, well before.
    maxBackpressure: 256 * 1024,
    upgrade: ({ params, headers }) => {
      const callId = params.id ?? '';
      const ticket = ticketOf(headers['sec-websocket-protocol']);
      if (ticket === undefined)
        return { ok: false, status: 401, message: 'listening in needs a ticket: POST /monitor/calls/:id/listen' };
      const check = tickets.redeem(ticket, callId);
      if (!check.ok) {
        log.warn({ callId, reason: check.reason }, 'listen-in refused: bad ticket');
        return { ok: false, status: 403, message: `listen ticket ${check.reason}` };
      }
      if (!hub.isLive(callId)) return { ok: false, status: 404, message: 'that call is not live on this replica' };
      return {
        ok: true,
        protocol: LISTEN_PROTOCOL,
        open: (socket) => {
          const r = hub.listen(callId, socket);
          if (!r.ok) {
            // 1013: try again later (too many listeners); 1000 the call ended between the handshake and now.
            if (r.reason === 'busy') socket.end(1013, 'too many people are listening');
            else socket.end(1000, 'the call ended');
            return { closed: () => undefined };
          }
          log.info({ callId, by: 'monitor' }, 'listening in on a call from the live monitor');
          return { closed: () => r.stop() };
        },
      };
    },
  };
}
