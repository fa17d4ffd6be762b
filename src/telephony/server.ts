import { STATUS_CODES } from 'node:http';
import type {
  HttpResponse as UwsResponse,
  HttpRequest as UwsRequest,
  WebSocket,
  us_listen_socket,
} from 'uWebSockets.js';
import { LoginThrottle } from '../http/auth.js';
import { Dispatcher } from '../http/dispatch.js';
import { RequestPolicy } from '../http/request-policy.js';
import type { Route } from '../http/types.js';
import { serveHttp } from '../http/uws-http.js';
import { serveSockets, type SocketRoute } from '../http/uws-ws.js';
import type { Logger } from '../log.js';
import type { CallAdmission } from './admission.js';
import type { CallHandlerFactory, StartInfo, VadPort } from './call-handler.js';
import type { TelephonyDsp } from './dsp-port.js';
import { MediaSession, type MediaMetrics } from './media-session.js';
import type { PlayerOptions, SendResult } from './outbound-player.js';
import { sharedPacingClock } from './pacing-clock.js';
import { MAX_MESSAGE_BYTES } from './serializer.js';
import { publicWsUrl, verifyUpgrade } from './signature.js';
import { loadUws, type Uws } from './uws.js';
import { twilioWebhookVerifier } from './webhook-auth.js';
import type { CallStore } from './call-store.js';
import { StreamGate } from './stream-gate.js';
import type { StreamTokens } from './stream-token.js';
import type { BudgetPolicy } from './message-budget.js';
import type { LiveCalls } from './live-calls.js';
import { StreamHandoffs } from './keypad/handoff.js';
import { createCallKeypad, type CallKeypadOptions } from './keypad/index.js';
import type { KeypadMode } from './keypad/types.js';

// The uWebSockets.js server: every Route[] of the app over HTTP (src/http, uws-http.ts), and the Twilio media
// stream WebSocket. uWS rules followed here: message buffers are copied before any await (they are invalid
// afterwards), writes are corked, and WebSocket sends honour backpressure.

export const MEDIA_STREAM_PATH = '/twilio/media-stream';
/** Straight from uWS's ArrayBuffer to a string, without a Buffer view per message (50 a second per call). */
const utf8 = new TextDecoder();

export interface TelephonyServerOptions {
  readonly host: string;
  readonly port: number;
  readonly publicBaseUrl: string | undefined;
  readonly twilioAuthToken: string | undefined;
  readonly apiToken: string | undefined;
  /** ALLOWED_HOSTS: Host names served besides PUBLIC_BASE_URL's, localhost and IP literals. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Failed sign-ins per client; shared with the review page. Default: one of its own, trusting no proxy. */
  readonly logins?: LoginThrottle | undefined;
  readonly admission: CallAdmission;
  /** Verifies the stream token our voice webhook put in each stream's TwiML (the same instance mints them). */
  readonly streamTokens: StreamTokens;
  /** TWILIO_ACCOUNT_SID: streams of any other account are refused. */
  readonly twilioAccountSid?: string | undefined;
  /** Decides which stream (and replica) owns a call; undefined only where this process is the only one (tests). */
  readonly callStore?: Pick<CallStore, 'claimStream'> | undefined;
  readonly routes: readonly Route[];
  /** Browser WebSockets beside the media stream (the live monitor's listen-in), under the same Host and site checks. */
  readonly sockets?: readonly SocketRoute[] | undefined;
  readonly handlerFactory: CallHandlerFactory;
  readonly dsp: TelephonyDsp;
  readonly createVad?: ((start: StartInfo) => VadPort) | undefined;
  readonly log: Logger;
  readonly metrics?: MediaMetrics | undefined;
  readonly player?: PlayerOptions | undefined;
  /** Inbound message rate per stream above which it is closed (default INBOUND_MEDIA_POLICY, message-budget.ts). */
  readonly inboundBudget?: BudgetPolicy | undefined;
  /** The calls streaming here, for what Twilio says of them outside the stream (amd.ts). */
  readonly liveCalls?: LiveCalls | undefined;
  /**
   * KEYPAD_MODE and, for the Twilio keypad, the REST client that redirects calls (keypad/). Default: in-band keys
   * only, when the DSP renders them.
   */
  readonly keypad?: { mode: KeypadMode; rest: { redirect(sid: string, twiml: string): Promise<void> } | undefined };
  /** Injected in tests of the fallback check; defaults to loadUws(). */
  readonly uws?: Uws | undefined;
}

interface SocketData {
  session: MediaSession | undefined;
  open: boolean;
}

export class TelephonyServer {
  readonly #o: TelephonyServerOptions;
  readonly #uws: Uws;
  readonly #dispatcher: Dispatcher;
  readonly #policy: RequestPolicy;
  readonly #gate: StreamGate;
  /** Calls between the two streams of a keypad redirect. */
  readonly #handoffs = new StreamHandoffs();
  readonly #sockets = new Set<WebSocket<SocketData>>();
  #listen: us_listen_socket | undefined;
  #app: ReturnType<Uws['App']> | undefined;
  #port = 0;

  constructor(o: TelephonyServerOptions) {
    this.#o = o;
    this.#uws = o.uws ?? loadUws();
    this.#policy = new RequestPolicy({ publicBaseUrl: o.publicBaseUrl, allowedHosts: o.allowedHosts });
    this.#dispatcher = new Dispatcher({
      routes: o.routes,
      apiToken: o.apiToken,
      policy: this.#policy,
      logins: o.logins ?? new LoginThrottle({ trustedHops: 0 }),
      verifyWebhook: twilioWebhookVerifier(o),
      log: o.log,
    });
    this.#gate = new StreamGate({
      tokens: o.streamTokens,
      accountSid: o.twilioAccountSid,
      admission: o.admission,
      store: o.callStore,
      log: o.log,
      handoffs: this.#handoffs,
    });
  }

  get port(): number {
    return this.#port;
  }

  get connections(): number {
    return this.#sockets.size;
  }

  listen(): Promise<number> {
    const app = this.#uws.App();
    this.#app = app;
    const pacing = this.#o.player?.clock ?? sharedPacingClock;
    app.ws<SocketData>(MEDIA_STREAM_PATH, {
      maxPayloadLength: 4 * MAX_MESSAGE_BYTES,
      maxBackpressure: 1024 * 1024,
      idleTimeout: 60,
      sendPingsAutomatically: true,
      upgrade: (res, req, ctx) => this.#upgrade(res, req, ctx),
      open: (ws) => this.#open(ws),
      message: (ws, msg, isBinary) => {
        const s = ws.getUserData().session;
        if (s === undefined) return;
        if (isBinary) s.onBinary();
        else s.onText(utf8.decode(msg)); // decoded (copied) before the buffer is neutered
        // Outgoing audio first: a pacing tick that fell due while the loop works through a backlog of inbound
        // messages runs here instead of after all of them (pacing-clock.ts).
        pacing.poll();
      },
      drain: (ws) => ws.getUserData().session?.onDrain(),
      close: (ws) => {
        const d = ws.getUserData();
        d.open = false;
        this.#sockets.delete(ws);
        d.session?.onClose();
      },
    });
    serveSockets(app, this.#o.sockets ?? [], this.#policy, this.#o.log);
    serveHttp(app, this.#dispatcher, this.#o.log);
    return new Promise((resolve, reject) => {
      app.listen(this.#o.host, this.#o.port, (sock) => {
        if (sock === false) return reject(new Error(`could not listen on ${this.#o.host}:${this.#o.port}`));
        this.#listen = sock;
        this.#port = this.#uws.us_socket_local_port(sock as unknown as Parameters<Uws['us_socket_local_port']>[0]);
        resolve(this.#port);
      });
    });
  }

  /**
   * The last step of a drain (ops/drain.ts `shutdown`): stop listening and close whatever streams are still open
   * (their handlers see 'socket-closed'). New calls were already refused by admission while draining; streams of
   * calls admitted before the drain may still connect until this runs.
   */
  close(): void {
    for (const ws of [...this.#sockets]) ws.end(1001, 'server shutting down');
    if (this.#listen !== undefined) this.#uws.us_listen_socket_close(this.#listen);
    this.#listen = undefined;
    // Keep-alive HTTP connections would otherwise hold the process open; close() exists in this build but not
    // in the typings.
    (this.#app as unknown as { close?: () => void } | undefined)?.close?.();
    this.#app = undefined;
  }

  #upgrade(res: UwsResponse, req: UwsRequest, ctx: unknown): void {
    const key = req.getHeader('sec-websocket-key');
    const protocol = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const signature = req.getHeader('x-twilio-signature');
    const query = req.getQuery();
    const refuse = (status: number, why: string): void => {
      res.cork(() => {
        res.writeStatus(`${status} ${STATUS_CODES[status] ?? ''}`).end(why);
      });
    };
    const base = this.#o.publicBaseUrl;
    const url = base === undefined ? '' : publicWsUrl(base, MEDIA_STREAM_PATH + (query ? `?${query}` : ''));
    const check =
      base === undefined
        ? { ok: false, reason: 'not-configured' }
        : verifyUpgrade(this.#o.twilioAuthToken, signature, url);
    if (!check.ok) {
      this.#o.log.warn({ reason: check.reason }, 'media stream upgrade rejected: bad Twilio signature');
      return refuse(403, 'forbidden');
    }
    const data: SocketData = { session: undefined, open: true };
    res.upgrade(data, key, protocol, extensions, ctx as Parameters<UwsResponse['upgrade']>[4]);
  }

  #keypadOptions(): CallKeypadOptions {
    const k = this.#o.keypad;
    const base = this.#o.publicBaseUrl;
    return {
      mode: k?.mode ?? 'inband',
      dsp: this.#o.dsp,
      twilio:
        k?.rest === undefined || base === undefined
          ? undefined
          : {
              rest: k.rest,
              handoffs: this.#handoffs,
              tokens: this.#o.streamTokens,
              streamUrl: publicWsUrl(base, MEDIA_STREAM_PATH),
            },
      log: this.#o.log,
    };
  }

  #open(ws: WebSocket<SocketData>): void {
    this.#sockets.add(ws);
    const d = ws.getUserData();
    d.session = new MediaSession({
      socket: {
        send: (text) => {
          if (!d.open) return 'closed';
          let r = 1;
          ws.cork(() => {
            r = ws.send(text, false);
          });
          return sendResult(r);
        },
        cork: (fn) => (d.open ? void ws.cork(fn) : fn()),
        bufferedAmount: () => (d.open ? ws.getBufferedAmount() : 0),
        end: (code, reason) => {
          if (d.open) ws.end(code, reason);
        },
      },
      dsp: this.#o.dsp,
      handlerFactory: this.#o.handlerFactory,
      createVad: this.#o.createVad,
      log: this.#o.log,
      metrics: this.#o.metrics,
      player: this.#o.player,
      inboundBudget: this.#o.inboundBudget,
      liveCalls: this.#o.liveCalls,
      handoffs: this.#handoffs,
      createKeypad: (start, player) => createCallKeypad(this.#keypadOptions(), start, player),
      admit: (start) => this.#gate.admit(start),
      ended: (start, reason) => this.#o.admission.release(StreamGate.callIdOf(start), reason),
    });
  }
}

function sendResult(r: number | boolean): SendResult {
  // uWS: 1 sent, 0 queued under backpressure (drains later), 2 dropped over maxBackpressure.
  if (r === 1 || r === true) return 'ok';
  if (r === 0) return 'backpressure';
  return 'dropped';
}
