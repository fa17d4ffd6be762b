import { isIP } from 'node:net';
import type { HttpRequest } from './types.js';

// What a browser can make a visitor's machine send us, and how each is refused (docs/operations.md, "HTTP
// hardening"):
// - DNS rebinding: a page on attacker.example re-resolves its name to 127.0.0.1 (or the server's LAN address) and
//   reads /review as same-origin. Its requests carry Host: attacker.example, so only known Host names are served:
//   PUBLIC_BASE_URL's, localhost, ALLOWED_HOSTS, and IP literals (a rebinding page always has a name; Kubernetes
//   probes and Prometheus use the pod IP). Ports are not compared: the name is what an attacker cannot choose.
// - Cross-site requests: any other site can POST text/plain or a form to us without a CORS preflight. Browsers
//   label their requests with Sec-Fetch-Site and Origin; a request that says it comes from another site is
//   refused, except a plain link followed to a page (top-level GET navigation, which cannot read the answer).
// - A JSON API that accepts only application/json bodies cannot be reached by a cross-site form or a no-cors
//   fetch at all: those can only send text/plain, multipart or urlencoded bodies.

export interface RequestPolicyOptions {
  readonly publicBaseUrl?: string | undefined;
  /** Further host names this server answers to (ALLOWED_HOSTS), without ports. */
  readonly allowedHosts?: readonly string[] | undefined;
}

const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(:\d{1,5})?$/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class RequestPolicy {
  readonly #hosts: ReadonlySet<string>;

  constructor(o: RequestPolicyOptions) {
    const names = ['localhost', ...(o.allowedHosts ?? [])];
    if (o.publicBaseUrl !== undefined) names.push(new URL(o.publicBaseUrl).hostname);
    this.#hosts = new Set(names.map(normalName));
  }

  /** The Host header names this server (see above). A request without Host (HTTP/1.0) has no name to trust. */
  hostAllowed(host: string | undefined): boolean {
    const m = HOST_HEADER.exec(host ?? '');
    if (m === null) return false;
    const name = normalName(m[1] as string);
    return this.#hosts.has(name) || isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0;
  }

  /** True when a browser says this request was made by a page of another site. */
  crossSite(req: Pick<HttpRequest, 'method' | 'headers'>): boolean {
    const h = req.headers;
    const site = h['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      const followedLink =
        (req.method === 'GET' || req.method === 'HEAD') &&
        h['sec-fetch-mode'] === 'navigate' &&
        h['sec-fetch-dest'] === 'document';
      if (!followedLink) return true;
    }
    // Browsers without Fetch Metadata still send Origin on every cross-origin request that is not a plain GET.
    const origin = h.origin;
    if (origin === undefined) return false;
    try {
      return new URL(origin).host !== (h.host ?? '').toLowerCase();
    } catch {
      return true; // "null" (sandboxed frames, file: pages) and anything unparsable
    }
  }

  /** True when the request carries a body (or says it does) that is not JSON. */
  nonJsonBody(req: Pick<HttpRequest, 'method' | 'headers' | 'body'>): boolean {
    if (!BODY_METHODS.has(req.method)) return false;
    const type = req.headers['content-type'];
    if (type === undefined) return req.body.length > 0;
    return !isJsonMediaType(type);
  }
}

/** application/json or application/<something>+json, parameters (charset) ignored. */
export function isJsonMediaType(contentType: string): boolean {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/** Lower case, without the trailing dot of a fully qualified name (agent.example.com. is agent.example.com). */
function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
