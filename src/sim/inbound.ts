import { randomBytes } from 'node:crypto';
import { publicUrl, signRequest } from '../telephony/signature.js';
import { streamOfTwiml } from './fake-twilio.js';
import { SimulatedStream, type SimStreamOptions } from './media-client.js';

// An inbound call as Twilio places it: the signed voice webhook, then the media stream its TwiML names, with the
// TwiML's <Parameter>s (the stream token among them) in `start`. The server admits a stream only this way.

export interface InboundCallOptions extends Omit<SimStreamOptions, 'url' | 'signedUrl' | 'customParameters'> {
  /** Where the server listens (http://127.0.0.1:port): the webhook is sent and the stream connects there. */
  readonly localBaseUrl: string;
  /** PUBLIC_BASE_URL: the URLs Twilio signs (the same as localBaseUrl when the server runs without an ingress). */
  readonly publicBaseUrl: string;
  readonly authToken: string;
  readonly accountSid: string;
  readonly from?: string;
}

/** The voice webhook's TwiML for a new inbound call `callSid`. */
export async function voiceWebhook(o: InboundCallOptions, callSid: string): Promise<string> {
  const params = {
    AccountSid: o.accountSid,
    CallSid: callSid,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: o.from ?? '+15551230000',
    To: '+15550000000',
  };
  const res = await fetch(`${o.localBaseUrl}/twilio/voice`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signRequest(o.authToken, publicUrl(o.publicBaseUrl, '/twilio/voice'), params),
    },
    body: new URLSearchParams(params).toString(),
  });
  if (res.status !== 200) throw new Error(`voice webhook answered ${res.status}`);
  return res.text();
}

/** Places an inbound call and connects its stream; throws (with the TwiML) when the server does not take it. */
export async function answerInbound(o: InboundCallOptions): Promise<SimulatedStream> {
  const callSid = o.callSid ?? 'CA' + randomBytes(16).toString('hex');
  const twiml = await voiceWebhook(o, callSid);
  const target = streamOfTwiml(twiml);
  if (target === undefined) throw new Error(`inbound call not connected: ${twiml}`);
  const local = new URL(o.localBaseUrl);
  const url = new URL(target.url);
  url.protocol = local.protocol === 'https:' ? 'wss:' : 'ws:';
  url.host = local.host;
  return SimulatedStream.connect({
    ...o,
    url: url.toString(),
    signedUrl: target.url,
    customParameters: target.parameters,
    callSid,
  });
}
