import t from 'tap';
import WebSocket from 'ws';
import { LoginThrottle } from '../../src/http/auth.js';
import { MonitorHub } from '../../src/monitor/hub.js';
import { listenSocket } from '../../src/monitor/listen.js';
import { monitorRoutes } from '../../src/monitor/routes.js';
import { LISTEN_PROTOCOL, ListenTickets, ticketOf } from '../../src/monitor/ticket.js';
import { quietLog, startServer } from '../telephony/helpers.js';
import { liveCall, records } from './fakes.js';

// Who may watch, listen and hang up, over the real uWS server: the same sign-in as the review pages for everything,
// JSON-only and same-site POSTs, and listen tickets bound to one call, used once, short-lived.

const TOKEN = 'monitor-test-token-0123456789abcdef-0123';
const basic = `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`;

t.test('listen tickets', async (t) => {
  const tickets = new ListenTickets({ ttlMs: 30_000 });
  const now = 1_800_000_000_000;
  const a = tickets.issue('call-a', now);
  t.match(a, /^\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/, 'a valid subprotocol token');
  t.same(tickets.redeem(a, 'call-b', now), { ok: false, reason: 'mismatch' }, 'refused for another call');
  t.same(tickets.redeem(a, 'call-a', now + 31_000), { ok: false, reason: 'expired' });
  t.same(tickets.redeem(a, 'call-a', now + 1_000), { ok: true });
  t.same(tickets.redeem(a, 'call-a', now + 2_000), { ok: false, reason: 'used' }, 'used once');
  const tampered = a.replace(/^\d+/, (exp) => String(Number(exp) + 3600));
  t.same(tickets.redeem(tampered, 'call-a', now), { ok: false, reason: 'mismatch' }, 'a later expiry is not accepted');
  t.same(tickets.redeem('not-a-ticket', 'call-a', now), { ok: false, reason: 'malformed' });
  t.same(
    new ListenTickets().redeem(tickets.issue('call-a', now), 'call-a', now),
    { ok: false, reason: 'mismatch' },
    'another process’s key',
  );
  t.equal(ticketOf(`${LISTEN_PROTOCOL}, ticket.${a}`), a);
  t.equal(ticketOf(`ticket.${a}`), undefined, 'only beside the page’s protocol');
});

t.test('the monitor over HTTP and WebSocket', async (t) => {
  const hub = new MonitorHub({ replica: { name: 'r1', single: false }, log: quietLog });
  t.teardown(() => hub.close());
  // The tickets' clock, moved on by the expiry test.
  let later = 0;
  const tickets = new ListenTickets({ now: () => Date.now() + later });
  const logins = new LoginThrottle({ trustedHops: 0 });
  const ts = await startServer({
    apiToken: TOKEN,
    routes: monitorRoutes({ hub, tickets, apiToken: TOKEN, logins, log: quietLog }),
    sockets: [listenSocket(hub, tickets, quietLog)],
  });
  t.teardown(() => ts.close());
  const base = `http://127.0.0.1:${ts.port}`;
  const a = liveCall('call-a');
  const b = liveCall('call-b');
  hub.started(a.info);
  hub.started(b.info);
  const post = (path: string, headers: Record<string, string> = {}, body = '{}') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json', ...headers },
      body,
    });

  t.test('everything needs the sign-in', async (t) => {
    for (const path of ['/monitor', '/monitor/monitor.js', '/monitor/events']) {
      const r = await fetch(`${base}${path}`);
      t.equal(r.status, 401, `GET ${path}`);
      t.match(r.headers.get('www-authenticate') ?? '', /^Basic /);
    }
    for (const path of ['/monitor/calls/call-a/listen', '/monitor/calls/call-a/hangup']) {
      const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      t.equal(r.status, 401, `POST ${path}`);
    }
    const wrong = await fetch(`${base}/monitor`, {
      headers: { authorization: `Basic ${Buffer.from('x:wrong').toString('base64')}` },
    });
    t.equal(wrong.status, 401);
    t.equal(a.hangUps(), 0, 'nothing was hung up');
  });

  t.test('the page: only its own script, no inline one', async (t) => {
    const r = await fetch(`${base}/monitor`, { headers: { authorization: basic } });
    t.equal(r.status, 200);
    const csp = r.headers.get('content-security-policy') ?? '';
    t.match(csp, /script-src 'self'/);
    t.match(csp, /connect-src 'self'/);
    t.notMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
    const page = await r.text();
    t.same(page.match(/<script[^>]*>/g), ['<script src="/monitor/monitor.js" defer>']);
    const js = await fetch(`${base}/monitor/monitor.js`, { headers: { authorization: `Bearer ${TOKEN}` } });
    t.equal(js.status, 200);
    t.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  });

  t.test('the event stream starts with a snapshot of the live calls', async (t) => {
    const ac = new AbortController();
    const r = await fetch(`${base}/monitor/events`, { headers: { authorization: basic }, signal: ac.signal });
    t.equal(r.status, 200);
    t.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = r.body!.getReader();
    let text = '';
    while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value);
    t.match(text, /"callId":"call-a"/);
    ac.abort();
  });

  t.test('POSTs: JSON only, same site only', async (t) => {
    t.equal((await post('/monitor/calls/call-a/listen', { 'content-type': 'text/plain' })).status, 415);
    const form = await post('/monitor/calls/call-a/hangup', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    t.equal(form.status, 415, 'a cross-site form cannot send JSON');
    const crossSite = await post('/monitor/calls/call-a/hangup', {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    t.equal(crossSite.status, 403);
    t.equal(a.hangUps(), 0);
    t.equal((await post('/monitor/calls/nope/listen')).status, 404, 'no ticket for a call not running here');
  });

  const ticketFor = async (callId: string) =>
    ((await (await post(`/monitor/calls/${callId}/listen`)).json()) as { ticket: string }).ticket;
  const open = (callId: string, protocols: string[], headers: Record<string, string> = {}) =>
    new Promise<{ ws?: WebSocket; status?: number; why?: string }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/monitor/calls/${callId}/listen`, protocols, {
        headers,
      });
      ws.once('open', () => resolve({ ws }));
      ws.once('unexpected-response', (_req, res) => {
        let why = '';
        res.on('data', (c: Buffer) => (why += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, why }));
      });
      ws.once('error', () => resolve({}));
    });

  t.test('listen-in: a ticket for this call, once', async (t) => {
    t.equal((await open('call-a', [LISTEN_PROTOCOL])).status, 401, 'no ticket');
    const forA = await ticketFor('call-a');
    t.match(
      await open('call-b', [LISTEN_PROTOCOL, `ticket.${forA}`]),
      { status: 403, why: /mismatch/ },
      "call A's ticket on call B",
    );
    const other = await open('call-a', [LISTEN_PROTOCOL, `ticket.${forA}`], { origin: 'https://evil.example' });
    t.equal(other.status, 403, 'a page of another site');
    const badHost = await open('call-a', [LISTEN_PROTOCOL, `ticket.${forA}`], { host: 'attacker.example' });
    t.equal(badHost.status, 421, 'a Host this server does not answer to');
    const { ws } = await open('call-a', [LISTEN_PROTOCOL, `ticket.${forA}`]);
    t.ok(ws, 'the ticket opens call A');
    t.equal(ws?.protocol, LISTEN_PROTOCOL);
    t.match(
      await open('call-a', [LISTEN_PROTOCOL, `ticket.${forA}`]),
      { status: 403, why: /used/ },
      'a ticket is used once',
    );
    const stale = await ticketFor('call-a');
    later = 31_000;
    t.match(
      await open('call-a', [LISTEN_PROTOCOL, `ticket.${stale}`]),
      { status: 403, why: /expired/ },
      'an expired ticket',
    );
    later = 0;
    const got = new Promise<Buffer>((r) => ws?.once('message', (m) => r(m as Buffer)));
    a.line.callerFrame(new Uint8Array(160).fill(0x22), -20);
    b.line.callerFrame(new Uint8Array(160).fill(0x33), -20);
    const message = await got;
    t.same(
      records(new Uint8Array(message)).map((r) => [r.leg, r.bytes.length, r.bytes[0]]),
      [[0, 160, 0x22]],
      'call A’s audio, and only call A’s',
    );
    const closed = new Promise<number>((r) => ws?.once('close', (code) => r(code)));
    t.equal((await post('/monitor/calls/call-a/hangup')).status, 202);
    t.equal(a.hangUps(), 1, 'the call was asked to hang up');
    a.line.end();
    hub.ended({ callId: 'call-a', endReason: 'operator-hangup' });
    t.equal(await closed, 1000, 'its listener is closed when the call ends');
    t.equal((await post('/monitor/calls/call-a/hangup')).status, 404, 'an ended call is not hung up again');
  });
});
