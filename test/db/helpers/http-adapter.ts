// Serves Route[] over node:http for tests (the uWS server belongs to the telephony module).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Route } from '../../../src/http/types.js';

function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (s.length === p.length + 1 && s[s.length - 1] === '') s.pop();
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] ?? '';
    const got = s[i] ?? '';
    if (seg.startsWith(':')) {
      if (got === '') return undefined;
      params[seg.slice(1)] = decodeURIComponent(got);
    } else if (seg !== got) return undefined;
  }
  return params;
}

export async function serveRoutes(routes: Route[]): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      for (const r of routes) {
        if (r.method !== req.method) continue;
        const params = match(r.pattern, u.pathname);
        if (!params) continue;
        r.handler(
          {
            method: r.method,
            path: u.pathname,
            query: u.searchParams,
            headers,
            body: Buffer.concat(chunks),
            remoteIp: '127.0.0.1',
          },
          params,
        ).then(
          (out) => {
            res.writeHead(out.status, out.headers ?? {});
            res.end(out.body ?? '');
          },
          (e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
        return;
      }
      res.writeHead(404);
      res.end('not found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
