import twilio from 'twilio';
import type { Config } from '../config/index.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { publicUrl } from './signature.js';

type RequestOptions<T> = import('twilio/lib/base/RequestClient.js').RequestOptions<T>;

/** Where Twilio posts the asynchronous answering-machine verdict (AMD=async; src/telephony/amd.ts). */
export const AMD_PATH = '/twilio/amd';

// Everything we ask of Twilio over REST: place a call, hang it up, redirect it (keys by <Play digits>). The real SDK is used in every environment;
// TWILIO_API_BASE_URL points it at a fake (tests, offline demo) by rewriting the origin of each request, which is
// the SDK's supported extension point (a custom RequestClient), unlike poking client.api.baseUrl.

export interface TwilioRestOptions {
  readonly accountSid: string;
  readonly authToken: string;
  readonly fromNumber: string;
  /** Where our webhooks are reachable (PUBLIC_BASE_URL). */
  readonly publicBaseUrl: string;
  readonly apiBaseUrl?: string | undefined;
  readonly machineDetection?: boolean | undefined;
  /** AMD=async: Twilio's DetectMessageEnd, its verdict posted to /twilio/amd while the call goes on (amd.ts). */
  readonly amd?: 'off' | 'async' | undefined;
  readonly timeoutMs?: number | undefined;
  readonly log: Logger;
}

export interface PlacedCall {
  readonly sid: string;
  readonly status: string;
}

class OriginRewritingClient extends twilio.RequestClient {
  readonly #origin: string;
  constructor(origin: string, timeout: number) {
    super({ timeout });
    this.#origin = origin.replace(/\/+$/, '');
  }
  override request<T>(opts: RequestOptions<T>) {
    const u = new URL(opts.uri);
    return super.request<T>({ ...opts, uri: this.#origin + u.pathname + u.search });
  }
}

export class TwilioRest {
  readonly #o: TwilioRestOptions;
  readonly #client: twilio.Twilio;

  constructor(o: TwilioRestOptions) {
    this.#o = o;
    const timeout = o.timeoutMs ?? 10_000;
    this.#client = twilio(o.accountSid, o.authToken, {
      httpClient:
        o.apiBaseUrl === undefined
          ? new twilio.RequestClient({ timeout })
          : new OriginRewritingClient(o.apiBaseUrl, timeout),
    });
  }

  /** Places an outbound call whose answer webhook and status callbacks come back to us, tagged with callId. */
  async placeCall(to: string, callId: string): Promise<PlacedCall> {
    const q = `?callId=${encodeURIComponent(callId)}`;
    try {
      const call = await this.#client.calls.create({
        to,
        from: this.#o.fromNumber,
        url: publicUrl(this.#o.publicBaseUrl, `/twilio/voice${q}`),
        method: 'POST',
        statusCallback: publicUrl(this.#o.publicBaseUrl, `/twilio/status${q}`),
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        ...this.#detection(q),
      });
      return { sid: call.sid, status: call.status };
    } catch (e) {
      // Never retried: a retry after a lost response could ring the gym twice.
      throw restError('calls.create', e);
    }
  }

  /**
   * Replaces the call's TwiML (the keypad's <Play digits> then a new <Connect><Stream>: keypad/twilio.ts). Twilio
   * stops the current media stream at once. Not retried: the redirect itself may have happened.
   */
  async redirect(sid: string, twiml: string): Promise<void> {
    try {
      await this.#client.calls(sid).update({ twiml });
    } catch (e) {
      throw restError('calls.update', e);
    }
  }

  #detection(q: string): Record<string, string> {
    if (this.#o.amd === 'async')
      return {
        machineDetection: 'DetectMessageEnd',
        asyncAmd: 'true',
        asyncAmdStatusCallback: publicUrl(this.#o.publicBaseUrl, `${AMD_PATH}${q}`),
        asyncAmdStatusCallbackMethod: 'POST',
      };
    return this.#o.machineDetection ? { machineDetection: 'Enable' } : {};
  }

  /**
   * Ends the call. Idempotent: a call that already ended (404 / Twilio 20404) counts as done. Transient failures
   * are retried a few times because a call left open keeps costing money and the gym's time; `onRetry` hears each
   * retry (the call's trace).
   */
  async hangUp(sid: string, onRetry?: () => void): Promise<'completed' | 'already-ended'> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.calls(sid).update({ status: 'completed' });
        return 'completed';
      } catch (e) {
        if (e instanceof twilio.RestException && (e.status === 404 || e.code === 20404)) return 'already-ended';
        const err = restError('calls.update', e);
        if (!err.retryable || attempt >= 3) throw err;
        this.#o.log.warn({ attempt, code: err.code }, 'hang-up failed; retrying');
        onRetry?.();
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }
}

function restError(op: string, e: unknown): AppError {
  if (e instanceof twilio.RestException) {
    const retryable = e.status >= 500 || e.status === 429 || e.status === 408;
    return new AppError('PROVIDER_FAILED', `Twilio ${op} failed: HTTP ${e.status}, Twilio code ${e.code}`, {
      cause: e,
      retryable,
    });
  }
  return new AppError('PROVIDER_FAILED', `Twilio ${op} failed: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
    retryable: true,
  });
}

/** Twilio REST from the configuration: none unless the account, its token, our number and public URL are all set. */
export function twilioRestFromConfig(config: Config, log: Logger): TwilioRest | undefined {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_PHONE_NUMBER: fromNumber } = config;
  const publicBaseUrl = config.PUBLIC_BASE_URL;
  if (!accountSid || !authToken || !fromNumber || !publicBaseUrl) return undefined;
  return new TwilioRest({
    accountSid,
    authToken,
    fromNumber,
    publicBaseUrl,
    apiBaseUrl: config.TWILIO_API_BASE_URL,
    machineDetection: config.TWILIO_MACHINE_DETECTION,
    amd: config.AMD,
    log,
  });
}
