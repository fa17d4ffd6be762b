import type { Test } from 'tap';
import type { Route } from '../../src/http/types.js';
import { startServer } from '../telephony/helpers.js';

/** The API token of the security tests' servers. */
export const token = 'tok-0123456789abcdef0123456789abcdef';

/**
 * `routes` over the real HTTP stack on 127.0.0.1 under `token`, and a request to them: with the token unless
 * `headers` say otherwise (`authorization: ''` sends none); the body as JSON unless it is a string.
 */
export async function serveApi(t: Test, routes: Route[]) {
  const ts = await startServer({ apiToken: token, routes });
  t.teardown(() => ts.close());
  const base = `http://127.0.0.1:${ts.port}`;
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: the test says what it expected
    }
    return { status: r.status, json, text };
  };
}
