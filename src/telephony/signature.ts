import twilio from 'twilio';

// Twilio signs every webhook and the Media Streams WebSocket upgrade with X-Twilio-Signature over the URL it
// called. We sit behind a TLS-terminating ingress, so the URL is rebuilt from PUBLIC_BASE_URL, never from the
// local socket (which would be http://10.x:8080 and never match).

export interface SignatureCheck {
  readonly ok: boolean;
  /** Why it failed: for logs and metrics, never echoed to the caller. */
  readonly reason?: 'missing' | 'mismatch' | 'not-configured';
}

/** The public URL Twilio called for `pathAndQuery` (path starting with '/', query string included). */
export function publicUrl(publicBaseUrl: string, pathAndQuery: string): string {
  return publicBaseUrl.replace(/\/+$/, '') + pathAndQuery;
}

/** The wss:// (or ws:// for a plain-http base in tests) URL of a WebSocket path on the public host. */
export function publicWsUrl(publicBaseUrl: string, path: string): string {
  const u = new URL(publicUrl(publicBaseUrl, path));
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** application/x-www-form-urlencoded body → params as Twilio signs them (last value wins for repeated keys). */
export function formParams(body: Buffer | string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) out[k] = v;
  return out;
}

export function verifyWebhook(
  authToken: string | undefined,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): SignatureCheck {
  if (authToken === undefined) return { ok: false, reason: 'not-configured' };
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing' };
  return twilio.validateRequest(authToken, signature, url, params) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** The upgrade request is signed over the wss:// URL with no params. */
export function verifyUpgrade(authToken: string | undefined, signature: string | undefined, wsUrl: string) {
  return verifyWebhook(authToken, signature, wsUrl, {});
}

/** What Twilio (and our simulator / fake REST server) puts in X-Twilio-Signature. */
export function signRequest(authToken: string, url: string, params: Record<string, string> = {}): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}
