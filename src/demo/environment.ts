import { randomBytes } from 'node:crypto';
import type { CallObserver } from '../call/session.js';
import type { CallStartInfo, ReplyLatency } from '../call/observer.js';
import { dspOptionsFromEnv, loadConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import { startServer, type RunningServer } from '../main.js';
import { createMetrics } from '../ops/metrics.js';
import { FakeTwilio, type Callee } from '../sim/fake-twilio.js';
import { freePort } from '../net/free-port.js';
import type { Language } from '../language/index.js';

// Everything a simulated call needs, on this machine and offline: the real server (offline providers, embedded
// database) on a loopback port, and the fake Twilio REST API + call engine that answers POST /v1/calls by
// calling our webhook and opening a real Media Streams WebSocket back to us. One environment serves many calls
// (the scenario suite runs them one after another against one server).

export interface EnvironmentOptions {
  readonly dataDir: string;
  readonly log: Logger;
  /** Record both legs of every call (for --record). */
  readonly record?: boolean;
  /** Providers instead of the configured (offline) selection: benchmarks with protocol fakes. */
  readonly providers?: import('../call/session.js').CallProviders;
  readonly replyPolicy?: import('../call/reply-actor.js').ReplyPolicy;
  /** Inspects every call actor (bench:machine's event recorder). */
  readonly inspect?: ((e: import('xstate').InspectionEvent) => void) | undefined;
  /** Extra environment variables for the server's config (e.g. timing knobs). */
  readonly env?: Readonly<Record<string, string>>;
  /** Lines that end busy, ring out or fail instead of answering (the campaign demo's gyms). */
  readonly unanswered?: import('../sim/fake-twilio.js').FakeTwilioOptions['unanswered'];
  /** The campaign engine on a simulated clock (ServerOptions.campaigns). */
  readonly campaigns?: import('../main.js').ServerOptions['campaigns'];
}

/**
 * Routes call events to whoever placed the call. The call's media stream can start before POST /v1/calls has
 * returned its id to us, so events for ids nobody watches yet are kept and replayed when a watcher arrives.
 */
export class CallRouting implements CallObserver {
  readonly callees = new Map<string, Callee>();
  readonly #observers = new Map<string, CallObserver>();
  readonly #early = new Map<string, ((o: CallObserver) => void)[]>();

  watch(callId: string, o: CallObserver): void {
    this.#observers.set(callId, o);
    for (const replay of this.#early.get(callId) ?? []) replay(o);
    this.#early.delete(callId);
  }

  unwatch(callId: string): void {
    this.#observers.delete(callId);
    this.#early.delete(callId);
  }

  #route(callId: string, fn: (o: CallObserver) => void): void {
    const o = this.#observers.get(callId);
    if (o) return fn(o);
    const q = this.#early.get(callId) ?? [];
    if (q.length < 10_000) q.push(fn);
    this.#early.set(callId, q);
  }

  started(info: CallStartInfo): void {
    this.#route(info.callId, (o) => o.started?.(info));
  }
  recognised(callId: string, w: { text: string; final: boolean }): void {
    this.#route(callId, (o) => o.recognised?.(callId, w));
  }
  utteranceStarted(callId: string, u: { utteranceId: string; text: string }): void {
    this.#route(callId, (o) => o.utteranceStarted?.(callId, u));
  }
  latency(callId: string, l: ReplyLatency): void {
    this.#route(callId, (o) => o.latency?.(callId, l));
  }
  emitted(callId: string, e: Parameters<NonNullable<CallObserver['emitted']>>[1]): void {
    this.#route(callId, (o) => o.emitted?.(callId, e));
  }
  state(callId: string, s: string): void {
    this.#route(callId, (o) => o.state?.(callId, s));
  }
  ended(r: Parameters<NonNullable<CallObserver['ended']>>[0]): void {
    this.#route(r.callId, (o) => o.ended?.(r));
  }
}

export class DemoEnvironment {
  readonly routing: CallRouting;
  readonly server: RunningServer;
  readonly twilio: FakeTwilio;
  readonly apiToken: string;
  readonly log: Logger;

  private constructor(routing: CallRouting, server: RunningServer, twilio: FakeTwilio, apiToken: string, log: Logger) {
    this.routing = routing;
    this.server = server;
    this.twilio = twilio;
    this.apiToken = apiToken;
    this.log = log;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  static async start(o: EnvironmentOptions): Promise<DemoEnvironment> {
    const routing = new CallRouting();
    const accountSid = 'AC' + randomBytes(16).toString('hex');
    const authToken = randomBytes(16).toString('hex');
    const apiToken = randomBytes(16).toString('hex');
    // The public URL must be known before the server starts (webhook signatures and stream URLs use it), so the
    // port is chosen first. Loopback only.
    const port = await freePort();
    const { loadDsp } = await import('../dsp/index.js');
    const dsp = loadDsp(dspOptionsFromEnv());
    const twilio = new FakeTwilio({
      accountSid,
      authToken,
      dsp,
      record: o.record ?? false,
      ...(o.unanswered ? { unanswered: o.unanswered } : {}),
      callee: async (stream, ctx) => {
        const callee = routing.callees.get(ctx.to);
        if (callee === undefined) {
          o.log.warn('simulated call to a number nobody answers; hanging up');
          await stream.hangUp();
          return;
        }
        await callee(stream, ctx);
      },
    });
    const twilioUrl = await twilio.listen();
    const config = loadConfig({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      API_TOKEN: apiToken,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: '+15005550006',
      TWILIO_API_BASE_URL: twilioUrl,
      // The demo is the offline stack by definition: keys in the caller's environment are not inherited.
      ASR_PROVIDER: 'offline',
      LLM_PROVIDER: 'offline',
      TTS_PROVIDERS: 'flite',
      // flite runs on this machine's CPU next to everything else and there is no other voice to fail over to: a
      // cloud-style first-byte deadline would only turn a slow moment into a failed call.
      TTS_FIRST_BYTE_TIMEOUT_MS: '10000',
      DATA_DIR: o.dataDir,
      LOG_LEVEL: o.log.level,
      ...o.env,
    });
    let server: RunningServer;
    try {
      server = await startServer(config, {
        log: o.log,
        // Own registry per environment: several servers may live in one process (benchmarks, tests).
        metrics: createMetrics({ processMetrics: false }),
        observer: routing,
        ...(o.providers ? { providers: o.providers } : {}),
        ...(o.replyPolicy ? { replyPolicy: o.replyPolicy } : {}),
        ...(o.inspect ? { inspect: o.inspect } : {}),
        ...(o.campaigns ? { campaigns: o.campaigns } : {}),
      });
    } catch (e) {
      await twilio.close();
      throw e;
    }
    // The offline voice compiles its WASM on first use; do that now rather than during the first greeting.
    try {
      const audio = await server.providers.tts.synthesize('Hello.', new AbortController().signal);
      for await (const _chunk of audio.chunks);
    } catch (e) {
      o.log.warn({ err: (e as Error).message }, 'agent voice warm-up failed');
    }
    return new DemoEnvironment(routing, server, twilio, apiToken, o.log);
  }

  /** POST /v1/calls exactly as an API client would; returns the call id. */
  async placeCall(phoneNumber: string, gymName: string, language?: Language): Promise<string> {
    const res = await fetch(`${this.baseUrl}/v1/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiToken}` },
      body: JSON.stringify({ phone_number: phoneNumber, gym_name: gymName, ...(language ? { language } : {}) }),
    });
    const body = (await res.json()) as { call_id?: string; error?: { code: string; message: string } };
    if (res.status !== 201 || body.call_id === undefined)
      throw new Error(`POST /v1/calls answered ${res.status}: ${body.error?.code ?? ''} ${body.error?.message ?? ''}`);
    return body.call_id;
  }

  async close(): Promise<void> {
    try {
      await this.twilio.close();
    } finally {
      await this.server.close();
      this.server.metrics.close();
    }
    if (this.twilio.errors.length > 0)
      this.log.warn({ errors: this.twilio.errors.map((e) => e.message) }, 'the fake Twilio met problems');
  }
}
