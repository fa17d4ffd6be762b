import { bearerOrBasicCredentials, LoginThrottle } from '../http/auth.js';
import type { HttpRequest, HttpResponse } from '../http/types.js';
import type { Logger } from '../log.js';
import { describeDbError, isRetryableDbError } from '../db/errors.js';
import { messagePage } from './pages.js';

// The sign-in of the pages a person opens in a browser (/review, /analytics). Transcripts and reports are personal
// or business data, so when API_TOKEN is set the pages require it: as a bearer token, or as the password of HTTP
// Basic auth so a browser can log in natively. (Their routes are 'none' to the server because browsers cannot send
// bearer tokens; the check is here.) Wrong passwords count against the client in the same LoginThrottle as wrong
// API tokens. Without API_TOKEN the server listens on loopback only (config/index.ts) and the pages are open to
// this machine.

export interface PageAuth {
  apiToken?: string | undefined;
  /** Shared with the API's bearer check (main.ts); default: one of its own, trusting no proxy. */
  logins?: LoginThrottle | undefined;
  log?: Logger | undefined;
}

export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // No scripts at all; inline styles only.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

export function page(status: number, body: string, extra: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...HTML_HEADERS, ...extra }, body };
}

export type Guard = (req: HttpRequest, fn: () => Promise<HttpResponse>) => Promise<HttpResponse>;

/** Runs `fn` for a signed-in request; answers 401/429 otherwise, and 503/500 pages when `fn` throws. */
export function pageGuard(o: PageAuth, what: string): Guard {
  const logins = o.logins ?? new LoginThrottle({ trustedHops: 0 });
  const signIn = (req: HttpRequest): HttpResponse | undefined => {
    const token = o.apiToken;
    if (token === undefined) return undefined;
    const a = logins.attempt(req, (h) => bearerOrBasicCredentials(h, token), 'review');
    if (a.kind === 'ok') return undefined;
    if (a.kind === 'throttled')
      return page(
        429,
        messagePage('Too many attempts', 'Too many wrong passwords from your address; wait and retry.'),
        {
          'retry-after': String(a.retryAfterS),
        },
      );
    return page(401, messagePage('Sign in required', 'Use the API token as the password.'), {
      'www-authenticate': 'Basic realm="gym-call-agent review", charset="UTF-8"',
    });
  };
  return async (req, fn) => {
    const refused = signIn(req);
    if (refused !== undefined) return refused;
    try {
      return await fn();
    } catch (e) {
      if (isRetryableDbError(e))
        return page(503, messagePage('Database unavailable', 'The database is unreachable; try again shortly.'), {
          'retry-after': '5',
        });
      o.log?.error({ err: describeDbError(e) }, `${what} failed`);
      return page(500, messagePage('Error', 'Something went wrong rendering this page.'));
    }
  };
}
