import { isLoopback } from '../net/loopback.js';
import { isForbiddenHost } from './address.js';

// What the WEBHOOK_* settings mean once read (src/config/env.ts reads them; nothing here reads the environment): the
// checks the schema runs on the URL and the secret, and the settings the deliverer and the event writers get.

export const WEBHOOK_EVENT_TYPES = [
  'call.completed',
  'gym.facts.changed',
  'campaign.completed',
  'message.taken',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** Sent when WEBHOOK_EVENTS is unset: every type without personal data. `message.taken` carries a caller's name,
 *  number and words, so a receiver gets it only when WEBHOOK_EVENTS lists it (no receiver starts getting it on an
 *  upgrade). */
export const DEFAULT_WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES.filter(
  (t) => t !== 'message.taken',
);

export function isWebhookEventType(s: string): s is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(s);
}

/** Standard Webhooks: a symmetric secret is 24 to 64 random bytes, base64 behind `whsec_`. */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = { min: 24, max: 64 } as const;

/**
 * What is wrong with a receiver URL, or undefined. https only, except to a loopback address (a receiver on the same
 * machine or pod, and the tests), where nothing crosses a network to read. No credentials in the URL (fetch refuses
 * them, and they would end up in logs); no link-local or metadata host (address.ts).
 */
export function webhookUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://crm.example.com/hooks/gym-agent';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    return 'must be https (plain http is allowed to a loopback address only)';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (url.hash !== '') return 'must not have a #fragment';
  if (isForbiddenHost(url.hostname)) return 'must not point at a link-local or cloud metadata address';
  return undefined;
}

/** The HMAC key of a `whsec_…` secret, or what is wrong with it. Never echoes the secret. */
export function webhookSecretKey(raw: string): Buffer | string {
  const shape = `must be ${SECRET_PREFIX} followed by the base64 of ${SECRET_BYTES.min}-${SECRET_BYTES.max} random bytes (e.g. "${SECRET_PREFIX}$(openssl rand -base64 32)")`;
  if (!raw.startsWith(SECRET_PREFIX)) return shape;
  const b64 = raw.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return shape;
  const key = Buffer.from(b64, 'base64');
  // Node's decoder skips what it cannot read; a secret that does not round-trip was mistyped or cut.
  if (key.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '')) return shape;
  if (key.length < SECRET_BYTES.min || key.length > SECRET_BYTES.max) return shape;
  return key;
}

export interface WebhookSettings {
  readonly url: URL;
  readonly key: Buffer;
  readonly events: ReadonlySet<WebhookEventType>;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly retentionDays: number;
}

/** The configuration's WEBHOOK_* fields (as src/config validated them). */
export interface WebhookEnv {
  readonly WEBHOOK_URL: string | undefined;
  readonly WEBHOOK_SECRET: string | undefined;
  readonly WEBHOOK_EVENTS: readonly WebhookEventType[];
  readonly WEBHOOK_TIMEOUT_MS: number;
  readonly WEBHOOK_MAX_ATTEMPTS: number;
  readonly WEBHOOK_RETENTION_DAYS: number;
}

/** Cross-field problems loadConfig reports: a URL needs its secret. */
export function webhookConfigProblems(c: WebhookEnv): string[] {
  return c.WEBHOOK_URL !== undefined && c.WEBHOOK_SECRET === undefined
    ? ['  WEBHOOK_SECRET: required when WEBHOOK_URL is set (receivers verify every delivery with it)']
    : [];
}

/** The settings, or undefined when webhooks are off (no WEBHOOK_URL). Expects a configuration loadConfig accepted. */
export function webhookSettings(c: WebhookEnv): WebhookSettings | undefined {
  if (c.WEBHOOK_URL === undefined || c.WEBHOOK_SECRET === undefined) return undefined;
  const key = webhookSecretKey(c.WEBHOOK_SECRET);
  if (typeof key === 'string') throw new Error(`WEBHOOK_SECRET ${key}`);
  return {
    url: new URL(c.WEBHOOK_URL),
    key,
    events: new Set(c.WEBHOOK_EVENTS),
    timeoutMs: c.WEBHOOK_TIMEOUT_MS,
    maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
    retentionDays: c.WEBHOOK_RETENTION_DAYS,
  };
}
