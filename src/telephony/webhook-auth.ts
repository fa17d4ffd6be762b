import type { HttpRequest } from '../http/types.js';
import type { Logger } from '../log.js';
import { formParams, publicUrl, verifyWebhook } from './signature.js';

// The 'twilio-signature' check the HTTP dispatcher runs for the webhook routes (src/http/dispatch.ts knows
// nothing of Twilio). The URL is the public one Twilio called, with the query string exactly as received.

export interface WebhookAuthOptions {
  readonly twilioAuthToken: string | undefined;
  readonly publicBaseUrl: string | undefined;
  readonly log: Logger;
}

export type WebhookVerifier = (req: HttpRequest, rawQuery: string) => boolean;

export function twilioWebhookVerifier(o: WebhookAuthOptions): WebhookVerifier {
  return (req, rawQuery) => {
    const base = o.publicBaseUrl;
    const check =
      base === undefined
        ? ({ ok: false, reason: 'not-configured' } as const)
        : verifyWebhook(
            o.twilioAuthToken,
            req.headers['x-twilio-signature'],
            publicUrl(base, req.path + (rawQuery === '' ? '' : `?${rawQuery}`)),
            formParams(req.body),
          );
    if (check.ok) return true;
    if (check.reason === 'not-configured')
      o.log.error('Twilio webhook refused: TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL must both be set');
    else o.log.warn({ reason: check.reason, path: req.path }, 'Twilio webhook signature rejected');
    return false;
  };
}
