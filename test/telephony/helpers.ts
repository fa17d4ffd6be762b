import { randomBytes } from 'node:crypto';
import { loadDsp } from '../../src/dsp/index.js';
import { createLogger } from '../../src/log.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import type { Route } from '../../src/http/types.js';
import type {
  CallHandler,
  CallHandlerFactory,
  CallTransport,
  HeardTone,
  InboundAudio,
  StartInfo,
  StreamEndReason,
} from '../../src/telephony/call-handler.js';
import type { ClearResult } from '../../src/telephony/outbound-player.js';
import type { MediaMetrics } from '../../src/telephony/media-session.js';
import { TelephonyServer, MEDIA_STREAM_PATH, type TelephonyServerOptions } from '../../src/telephony/server.js';
import { publicWsUrl, signRequest } from '../../src/telephony/signature.js';
import { MemoryCallStore, type CallStore } from '../../src/telephony/call-store.js';
import { STREAM_TOKEN_PARAM, StreamTokens } from '../../src/telephony/stream-token.js';
import { SimulatedStream, type SimStreamOptions } from '../../src/sim/media-client.js';
import { streamOfTwiml } from '../../src/sim/fake-twilio.js';
import { voiceWebhook } from '../../src/sim/inbound.js';
import type { BudgetPolicy } from '../../src/telephony/message-budget.js';
import type { LiveCalls } from '../../src/telephony/live-calls.js';

export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
/** The server sits behind a TLS ingress: Twilio signs the public URL, we connect to the local port. */
export const PUBLIC_BASE = 'https://agent.example.test';
export const PUBLIC_WS = publicWsUrl(PUBLIC_BASE, MEDIA_STREAM_PATH);

export const dsp = loadDsp();
export const quietLog = createLogger('silent');

/** Records everything the transport delivers; tests script the agent side through `transport`. */
export class RecordingHandler implements CallHandler {
  readonly audio: InboundAudio[] = [];
  readonly dtmf: string[] = [];
  readonly tones: HeardTone[] = [];
  readonly amd: string[] = [];
  readonly events: string[] = [];
  ended: StreamEndReason | undefined;
  readonly endedP: Promise<StreamEndReason>;
  #resolveEnd!: (r: StreamEndReason) => void;
  constructor(
    readonly start: StartInfo,
    readonly transport: CallTransport,
  ) {
    this.endedP = new Promise((r) => (this.#resolveEnd = r));
    transport.player.listener = {
      started: (id) => this.events.push(`started:${id}`),
      progress: (id, heard) => this.events.push(`progress:${id}:${heard}`),
      played: (id) => this.events.push(`played:${id}`),
      duration: (id, ms) => this.events.push(`duration:${id}:${ms}`),
      cleared: (r: ClearResult) => this.events.push(`cleared:${r.interrupted?.utteranceId ?? '-'}`),
      error: (id, e) => this.events.push(`error:${id}:${e.message}`),
    };
  }
  onAudio(a: InboundAudio): void {
    // The transport reuses its buffers after the call: keep copies.
    this.audio.push({ ...a, mulaw: a.mulaw.slice(), pcm: a.pcm.slice() });
  }
  onVad(): void {}
  onDtmf(d: string): void {
    this.dtmf.push(d);
  }
  onTone(tone: HeardTone): void {
    this.tones.push(tone);
  }
  onAmd(answeredBy: string): void {
    this.amd.push(answeredBy);
  }
  onLinePaused(): void {
    this.events.push('line-paused');
  }
  onEnd(r: StreamEndReason): void {
    this.ended = r;
    this.#resolveEnd(r);
  }
}

export interface TestServer {
  server: TelephonyServer;
  port: number;
  localWs: string;
  handlers: RecordingHandler[];
  nextHandler(): Promise<RecordingHandler>;
  capacity: CallCapacity;
  store: CallStore;
  tokens: StreamTokens;
  /**
   * What the voice webhook does for a call before Twilio opens its stream: record it with its CallSid, take its
   * slot, mint its stream token. Returns the <Parameter>s the stream's `start` must carry.
   */
  admitCall(parameters: Readonly<Record<string, string>>, callSid: string): Promise<Record<string, string>>;
  close(): void;
}

export async function startServer(
  opts: {
    routes?: Route[];
    apiToken?: string;
    maxCalls?: number;
    factory?: CallHandlerFactory;
    metrics?: MediaMetrics;
    inboundBudget?: BudgetPolicy;
    /** The voice webhook's minting instance, when the test mounts twilioRoutes. */
    tokens?: StreamTokens;
    store?: CallStore;
    capacity?: CallCapacity;
    liveCalls?: LiveCalls;
    keypad?: TelephonyServerOptions['keypad'];
    sockets?: TelephonyServerOptions['sockets'];
  } = {},
): Promise<TestServer> {
  const handlers: RecordingHandler[] = [];
  const waiters: ((h: RecordingHandler) => void)[] = [];
  const capacity = opts.capacity ?? new CallCapacity({ max: opts.maxCalls ?? 50 });
  const store = opts.store ?? new MemoryCallStore();
  const tokens = opts.tokens ?? new StreamTokens(randomBytes(32));
  const server = new TelephonyServer({
    host: '127.0.0.1',
    port: 0,
    publicBaseUrl: PUBLIC_BASE,
    twilioAuthToken: AUTH_TOKEN,
    apiToken: opts.apiToken,
    admission: capacity,
    streamTokens: tokens,
    twilioAccountSid: ACCOUNT_SID,
    callStore: store,
    routes: opts.routes ?? [],
    dsp,
    log: quietLog,
    metrics: opts.metrics,
    inboundBudget: opts.inboundBudget,
    liveCalls: opts.liveCalls,
    keypad: opts.keypad,
    sockets: opts.sockets,
    handlerFactory:
      opts.factory ??
      ((start, transport) => {
        const h = new RecordingHandler(start, transport);
        handlers.push(h);
        waiters.shift()?.(h);
        return h;
      }),
  });
  const port = await server.listen();
  return {
    server,
    port,
    localWs: `ws://127.0.0.1:${port}${MEDIA_STREAM_PATH}`,
    handlers,
    capacity,
    store,
    tokens,
    async admitCall(parameters, callSid) {
      const callId = parameters.callId ?? '';
      const direction = parameters.direction === 'outbound' ? 'outbound' : 'inbound';
      await store.create({
        callId,
        direction,
        phoneNumber: '',
        gymName: '',
        status: 'in-progress',
        twilioCallSid: callSid,
      });
      const admitted = capacity.tryAdmit(callId, direction);
      if (!admitted.ok) throw new Error(`test call refused: ${admitted.reason}`);
      return { ...parameters, [STREAM_TOKEN_PARAM]: tokens.mint({ callSid, accountSid: ACCOUNT_SID, parameters }) };
    },
    nextHandler: () => new Promise((r) => waiters.push(r)),
    close: () => server.close(),
  };
}

/** Posts to the AMD webhook of `ts` as Twilio would: form body, signature over the public URL. */
export async function postAmd(ts: TestServer, callId: string, form: Record<string, string>, signature?: string) {
  const path = `/twilio/amd?callId=${encodeURIComponent(callId)}`;
  const res = await fetch(`http://127.0.0.1:${ts.port}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: new URL(PUBLIC_BASE).host,
      'x-twilio-signature': signature ?? signRequest(AUTH_TOKEN, `${PUBLIC_BASE}${path}`, form),
    },
    body: new URLSearchParams(form).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

export const randomCallSid = () => 'CA' + randomBytes(16).toString('hex');

/** A call admitted as the voice webhook would (ts.admitCall), then its stream connected like Twilio's. */
export async function connectSim(ts: TestServer, extra: Partial<SimStreamOptions> = {}): Promise<SimulatedStream> {
  const callSid = extra.callSid ?? randomCallSid();
  const parameters = extra.customParameters ?? {
    callId: `call-${Math.random().toString(36).slice(2)}`,
    direction: 'inbound',
  };
  return SimulatedStream.connect({
    url: ts.localWs,
    signedUrl: PUBLIC_WS,
    authToken: AUTH_TOKEN,
    dsp,
    accountSid: ACCOUNT_SID,
    ...extra,
    callSid,
    customParameters: await ts.admitCall(parameters, callSid),
  });
}

/** Twilio's side of an inbound call on a server with twilioRoutes: the signed voice webhook, what its TwiML says. */
export async function webhookCall(ts: TestServer, callSid = randomCallSid()) {
  const local = `http://127.0.0.1:${ts.port}`;
  const o = { localBaseUrl: local, publicBaseUrl: PUBLIC_BASE, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, dsp };
  const target = streamOfTwiml(await voiceWebhook(o, callSid));
  if (target === undefined) throw new Error('the voice webhook opened no stream');
  return { callSid, callId: target.parameters.callId ?? '', parameters: target.parameters };
}

/** A stream with a valid (captured) upgrade signature and whatever `start` the sender chooses. */
export function streamAs(
  ts: TestServer,
  callSid: string,
  customParameters: Record<string, string>,
  accountSid = ACCOUNT_SID,
): Promise<SimulatedStream> {
  return SimulatedStream.connect({
    url: ts.localWs,
    signedUrl: PUBLIC_WS,
    authToken: AUTH_TOKEN,
    dsp,
    accountSid,
    callSid,
    customParameters,
  });
}

/** s16le bytes of a sine tone, as a TTS provider would stream them. */
export function toneBytes(rate: number, ms: number, hz = 440, amp = 8000): Uint8Array {
  const n = Math.round((rate * ms) / 1000);
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)), i * 2);
  return new Uint8Array(buf);
}

/** Splits bytes into odd-sized chunks, like a network stream. */
export async function* chunked(bytes: Uint8Array, size = 997): AsyncIterable<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, Math.min(bytes.length, off + size));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
