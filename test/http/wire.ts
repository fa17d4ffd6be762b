import { request } from 'node:http';
import { connect } from 'node:net';

// Requests exactly as a browser or an attacker would send them: any Host header (fetch would not let a test set
// one), any method, raw bytes when the HTTP framing itself is the point.

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(
  port: number,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers ?? {}, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Writes `raw` on a fresh connection; resolves with every byte the server sent before closing (or `ms` passed). */
export function sendRaw(port: number, raw: string, ms = 1500): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let reply = '';
    let closed = false;
    const timer = setTimeout(() => s.destroy(), ms);
    s.setEncoding('utf8');
    s.on('data', (d: string) => (reply += d));
    s.on('end', () => (closed = true));
    s.on('error', () => (closed = true));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ reply, closed });
    });
    s.write(raw);
  });
}
