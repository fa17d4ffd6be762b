// A webhook receiver for the tests, as a customer would write one: node:http on 127.0.0.1, port 0. It verifies
// every request with its own code, written from the Standard Webhooks spec and not from src/webhooks/sign.ts: the
// key is the base64 after "whsec_", the signed content "<webhook-id>.<webhook-timestamp>.<raw body>", each "v1,"
// entry of the space-separated header compared in constant time, and the timestamp within five minutes of the
// receiver's clock (the test's simulated one). It answers as the test's script says (a status with headers, a hang
// past the sender's timeout, a reset connection) and keeps every request, so a test can count per webhook-id.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Action = { status: number; headers?: Record<string, string> } | 'hang' | 'reset';

export interface Received {
  readonly id: string;
  readonly timestamp: number;
  readonly body: string;
  /** Signature and timestamp both good. */
  readonly verified: boolean;
  /** The receiver's clock when it came. */
  readonly at: number;
  /** What it was answered: a status, 'hang' / 'reset', or 'pending' while the answer waits. */
  answer: number | 'hang' | 'reset' | 'pending';
}

const TOLERANCE_S = 300;

export function verify(secret: string, id: string, timestamp: string, signatures: string, body: string, nowMs: number) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const ts = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs / 1000 - ts) > TOLERANCE_S) return false;
  return signatures.split(' ').some((s) => {
    const [version, sig] = s.split(',', 2);
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  /** Requests whose signature or timestamp failed. */
  readonly rejected: Received[];
  /** Ids that had two requests in progress at once (a replica sent while another did). */
  readonly overlaps: string[];
  /** Requests answered 2xx, per webhook-id. */
  accepted(): Map<string, number>;
  /** Requests per webhook-id, in arrival order. */
  byId(): Map<string, Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(o: {
  secret: string;
  /** The receiver's clock (ms): the tests' simulated one. */
  now: () => number;
  /** The answer to the `nth` request (from 1) carrying this id. Default 200. */
  respond?: (r: Received, nth: number) => Action;
  /** Wait before answering (ms), so concurrent senders would overlap. */
  delayMs?: number;
}): Promise<Receiver> {
  const requests: Received[] = [];
  const overlaps: string[] = [];
  const inProgress = new Set<string>();
  const sockets = new Set<Socket>();
  const seen = new Map<string, number>();

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const header = (n: string) => String(req.headers[n] ?? '');
    const id = header('webhook-id');
    const r: Received = {
      id,
      timestamp: Number(header('webhook-timestamp')),
      body,
      verified: verify(o.secret, id, header('webhook-timestamp'), header('webhook-signature'), body, o.now()),
      at: o.now(),
      answer: 'pending',
    };
    requests.push(r);
    if (inProgress.has(id)) overlaps.push(id);
    inProgress.add(id);
    const nth = (seen.get(id) ?? 0) + 1;
    seen.set(id, nth);
    const action: Action = !r.verified ? { status: 401 } : (o.respond?.(r, nth) ?? { status: 200 });
    const done = () => inProgress.delete(id);
    if (action === 'hang') {
      r.answer = 'hang';
      req.socket.once('close', done);
      return;
    }
    if (action === 'reset') {
      r.answer = 'reset';
      done();
      req.socket.destroy();
      return;
    }
    setTimeout(() => {
      r.answer = action.status;
      done();
      res.writeHead(action.status, { 'content-type': 'text/plain', ...action.headers });
      res.end('ok');
    }, o.delayMs ?? 0);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const group = <T>(pick: (r: Received) => T | undefined) => {
    const m = new Map<string, T[]>();
    for (const r of requests) {
      const v = pick(r);
      if (v !== undefined) m.set(r.id, [...(m.get(r.id) ?? []), v]);
    }
    return m;
  };
  return {
    url: `http://127.0.0.1:${port}/hooks/gym-agent`,
    requests,
    get rejected() {
      return requests.filter((r) => !r.verified);
    },
    overlaps,
    accepted: () =>
      new Map(
        [...group((r) => (typeof r.answer === 'number' && r.answer < 300 ? r : undefined))].map(([k, v]) => [
          k,
          v.length,
        ]),
      ),
    byId: () => group((r) => r),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
