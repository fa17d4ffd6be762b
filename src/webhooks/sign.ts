import { createHmac } from 'node:crypto';

// The Standard Webhooks signature (standardwebhooks.com, spec 1.0): HMAC-SHA256 with the secret's key over
// "<webhook-id>.<webhook-timestamp>.<body>", base64, behind the scheme tag "v1,". The id and the timestamp are ours
// (a UUID and integer seconds), so neither can carry a "." that would shift the signed fields.

/** The value of the `webhook-signature` header for one attempt. */
export function webhookSignature(key: Buffer, id: string, timestampS: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

/** The headers of one attempt: the event's id (the receiver's idempotency key), the attempt's time, its signature. */
export function webhookHeaders(key: Buffer, id: string, timestampS: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'gym-call-agent-webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': webhookSignature(key, id, timestampS, body),
  };
}
