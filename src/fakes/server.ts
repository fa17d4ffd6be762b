import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// Shared plumbing of the protocol fakes: an HTTP server on 127.0.0.1, port 0 by default, that tracks its
// sockets so close() never hangs on a keep-alive connection or a stream a test abandoned.

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export class FakeHttpServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** TCP connections accepted so far (tests of connection reuse). */
  connections = 0;
  private port = 0;

  constructor(handler: Handler) {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        Promise.resolve(handler(req, res, Buffer.concat(parts))).catch((e: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: `fake failed: ${String(e)}` } }));
        });
      });
    });
    // Idle keep-alive connections live as long as behind a typical cloud load balancer (AWS ALB: 60 s; Google's:
    // 610 s), not Node's 5 s default, so clients that reuse connections across a call's turns can.
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (s) => {
      this.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get boundPort(): number {
    return this.port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function jsonResponse(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A modelled wait. Zero means none: setTimeout(0) would still cost ≥ 1 ms (Node's clamp) plus a timer-phase turn
 * of the event loop, which an "instant" fake must not add to what it measures.
 */
export const delay = (ms: number): Promise<void> =>
  ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve();
