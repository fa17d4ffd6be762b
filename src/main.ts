#!/usr/bin/env node
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { InspectionEvent, Observer } from 'xstate';
import { timingFromConfig } from '../machines/timing.js';
import type { TurnTiming } from '../machines/events.js';
import { CallDirectory } from './call/call-directory.js';
import { inspectorFromConfig } from './call/inspect.js';
import type { ReplyPolicy } from './call/reply-actor.js';
import { createCallHandlerFactory, type CallObserver, type CallProviders } from './call/session.js';
import { observers } from './call/observer.js';
import { vadPortFactory } from './call/vad-port.js';
import { createVad } from './audio/vad.js';
import { wrapUpsSettled } from './call/wrap-up.js';
import { loadConfig, type Config } from './config/index.js';
import { dedicatedClient, openDatabase, type Database } from './db/pool.js';
import { DbIvrPaths } from './db/ivr-paths.js';
import { CallRecorder } from './db/recorder.js';
import { startCallLeases } from './db/call-leases.js';
import { WriteQueue } from './db/write-queue.js';
import { setUpExtras } from './recordings/setup.js';
import { reviewUrl } from './review/url.js';
import { loadDsp } from './dsp/index.js';
import { instrumentDsp } from './ops/dsp-timing.js';
import type { Dsp } from './dsp/types.js';
import { isAppError } from './errors.js';
import { loadFlows } from './flows/load.js';
import { createLogger, type Logger } from './log.js';
import { CallCapacity } from './ops/capacity.js';
import { Drain } from './ops/drain.js';
import { getMetrics, type Metrics } from './ops/metrics.js';
import { LoginThrottle } from './http/auth.js';
import { configuredProviders } from './providers/configured.js';
import { appRoutes } from './routes.js';
import type { OutboundDeps } from './telephony/outbound.js';
import { PgCallStore } from './db/call-store.js';
import { TelephonyServer } from './telephony/server.js';
import { loadUws } from './telephony/uws.js';
import { StreamTokens, streamTokenKey } from './telephony/stream-token.js';
import { twilioRestFromConfig } from './telephony/twilio-rest.js';
import { CallEvents } from './telephony/call-events.js';
import { deskBrain } from './frontdesk/wiring.js';
import { isSuppressed } from './compliance/suppressions.js';
import { CampaignEngine, type Clock } from './campaigns/engine.js';
import { planNextAttempt } from './campaigns/policy/plan.js';
import type { PlanNextAttempt } from './campaigns/types.js';
import { briefOfCall } from './campaigns/store.js';
import { voicesOfCall } from './voices/store.js';
import { webhookSettings } from './webhooks/config.js';
import { WebhookDeliverer } from './webhooks/deliver.js';
import { WebhookEvents } from './webhooks/events.js';
import { webhookMetrics } from './webhooks/metrics.js';
import { MonitorHub } from './monitor/hub.js';
import { listenSocket } from './monitor/listen.js';
import { monitorMetrics } from './monitor/metrics.js';
import { ListenTickets } from './monitor/ticket.js';
import { tracingSettings } from './tracing/settings.js';
import { startTracing } from './tracing/tracing.js';
import type { Language } from './language/index.js';
import { logLanguageSupport, recognises } from './language/support.js';

// `npm start`: the whole app in one process. Config is read once; then the DSP addon, the database (embedded
// PGlite unless DATABASE_URL is set) with migrations, the providers chosen from config, and the uWebSockets.js
// server with every route (webhooks, calls API, read API + review page, health, metrics). SIGTERM drains: no new
// calls, live calls finish (up to SHUTDOWN_GRACE_MS), then everything closes and the process exits 0.
// Importing this module does nothing; startServer() is exported for the demo, tests and benchmarks.

export interface ServerOptions {
  readonly log?: Logger;
  /** Watches every call (demo live view, tests). */
  readonly observer?: CallObserver;
  /** Providers to use instead of the configured selection (benchmarks with protocol fakes). */
  readonly providers?: CallProviders;
  readonly timing?: TurnTiming;
  /** How replies reach TTS; benchmarks set the original system's policy for comparison. */
  readonly replyPolicy?: ReplyPolicy;
  /** Inspects every call actor (bench:machine's recorder); INSPECT=true's Stately bridge is used otherwise. */
  readonly inspect?: Observer<InspectionEvent> | ((e: InspectionEvent) => void);
  readonly metrics?: Metrics;
  /** SIGTERM/SIGINT start a drain that ends with process.exit (only when run as the main program). */
  readonly installSignalHandlers?: boolean;
  /**
   * Campaigns on a simulated clock (gym-agent demo --campaign): the engine has no timer, the caller ticks
   * `RunningServer.campaigns`; `plan` wraps the policy (the demo notes each planned window). The clock is the
   * server's date too: the review page's freshness and a callback's "after two" are read against it.
   */
  readonly campaigns?: { readonly clock: Clock; readonly plan?: PlanNextAttempt };
}

export interface RunningServer {
  readonly port: number;
  readonly config: Config;
  readonly db: Database;
  readonly dsp: Dsp;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly providers: CallProviders;
  readonly calls: CallDirectory;
  readonly capacity: CallCapacity;
  /** The campaign engine (none without Twilio REST). */
  readonly campaigns: CampaignEngine | undefined;
  /** Graceful: refuse new calls, let live ones finish (up to the grace period), then close. */
  drain(reason: string): Promise<number>;
  /** Resolves true once every database write queued so far has settled (false on timeout). */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Immediate: end live streams, close the server and the database (tests, demo). */
  close(): Promise<void>;
}

export async function startServer(config: Config, opts: ServerOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const metrics = opts.metrics ?? getMetrics();
  // The A/B experiment of conversation flows (FLOWS): a bad one stops the start here, before anything is opened.
  const flows = loadFlows(config);
  for (const w of flows?.warnings ?? []) log.warn(w);
  if (flows)
    log.info({ experiment: flows.experiment, variants: flows.variants.map((v) => `${v.name}:${v.weight}%`) }, 'flows');
  // Every per-chunk DSP call of every call goes through this wrapper, which samples 1 in 16 into gym_agent_dsp_seconds.
  const dsp = instrumentDsp(loadDsp({ path: config.DSP_ADDON_PATH, forceScalar: config.DSP_FORCE_SCALAR }), metrics);
  log.info({ kernels: dsp.kernels() }, 'DSP addon loaded');
  // The voice detector's model loads once here, so a missing or broken model stops the start with one error instead
  // of failing the first frame of every call.
  await createVad(dsp, { kind: config.VAD_KIND }).then((vad) => vad.close());

  const db = await openDatabase(config, { log });
  log.info({ location: db.location, embedded: db.embedded !== undefined }, 'database ready');
  const queue = new WriteQueue(db.pool, { maxPending: config.DB_WRITE_QUEUE_MAX, log, registry: metrics.registry });
  // Webhooks (docs/webhooks.md): the events are written in the transactions that end calls and finish campaigns;
  // this replica's deliverer sends them (and any other replica's) once the server listens.
  const webhooks = webhookSettings(config);
  const webhookEvents = webhooks && new WebhookEvents({ events: webhooks.events, log });
  const onCallEnded = webhookEvents?.callEnded;
  const recorder = new CallRecorder(queue, { log, onCallEnded, onMessageTaken: webhookEvents?.messageTaken });
  const extras = await setUpExtras(config, db.pool, metrics.registry, log);

  // selectProviders logs its own choice; only an injected set (tests, demo) is logged here.
  const clock = opts.campaigns?.clock;
  const providers =
    opts.providers ?? (await configuredProviders(config, { log, dsp, metrics, now: clock && (() => clock.now()) }));
  if (opts.providers)
    log.info({ asr: providers.asr.name, llm: providers.llm.name, tts: providers.tts.name }, 'providers selected');
  // Which languages calls can be held in, said once at start-up (doctor says the same: CALL_LANGUAGE).
  logLanguageSupport(log, providers.asr);

  // The drain needs the server (to close it) and admission needs the drain (to refuse calls while draining).
  const draining = { drain: undefined as Drain | undefined };
  const isDraining = () => draining.drain?.isDraining() ?? false;
  // The call store commits each call before POST /v1/calls answers (so an immediate GET finds it) and survives
  // restarts; it writes the call rows itself. A campaign call placed by another replica has its brief read back.
  const calls = new CallDirectory(new PgCallStore(db.pool, { queue, log, onCallEnded }), {
    briefOf: (callId) => briefOfCall(db.pool, callId),
    voicesOf: (callId) => voicesOfCall(db.pool, callId),
  });
  // Replicas on one database count each call once: the one that settles it in the store (capacity.ts).
  const capacity = new CallCapacity({
    max: config.MAX_CONCURRENT_CALLS,
    metrics,
    isDraining,
    settleWithoutStream: (callId) => calls.settleWithoutStream(callId),
  });
  // Calls a crashed server left live are ended (server_restarted / server_lost); the ones this process holds are
  // leased so that no other replica ends them (src/db/call-leases.ts). Before listen(): no call is live here yet.
  const leases = await startCallLeases(db.pool, {
    single: db.embedded !== undefined,
    liveCalls: () => capacity.callIds(),
    maxCallMs: config.MAX_CALL_MS,
    log,
    onCallEnded,
  });
  // The live monitor (/monitor, docs/monitor.md) watches every call this process runs; the page says which replica it
  // is and how many live calls the others hold (their leases), which it does not show.
  const monitor = new MonitorHub({
    replica: { name: hostname(), single: db.embedded !== undefined, liveElsewhere: leases.liveElsewhere },
    log,
    metrics: monitorMetrics(metrics.registry),
  });
  const listenTickets = new ListenTickets();
  // One trace per call when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise the SDK is not even loaded.
  const tracing = await startTracing(tracingSettings(config), { log, instanceId: leases.instanceId });
  // Binds each media stream to the call the voice webhook admitted (stream-token.ts, stream-gate.ts).
  const streamTokens = new StreamTokens(streamTokenKey(config.TWILIO_AUTH_TOKEN));
  // The calls streaming in this process, for Twilio's answering-machine verdicts (src/telephony/amd.ts). A verdict
  // another replica recorded reaches them through the database's notifications (src/telephony/call-events.ts), on
  // a connection of their own; the embedded database has one process, where delivery is local.
  const callEvents = new CallEvents({
    single: db.embedded !== undefined,
    pool: db.pool,
    connect: () => dedicatedClient(db.pool),
    log,
  });
  await callEvents.start();
  const liveCalls = callEvents.liveCalls;
  const rest = twilioRestFromConfig(config, log);
  if (!rest) log.warn('Twilio REST not configured: outbound calls disabled, hang-up closes the media stream');
  // The do-not-call list is asked before every outbound call, whoever places it (POST /v1/calls, campaigns).
  const suppressed = (e164: string) => isSuppressed(db.pool, e164);
  const destinations = { regions: config.CALL_ALLOWED_REGIONS, types: config.CALL_ALLOWED_NUMBER_TYPES };
  // Calls are placed only in a language the recogniser hears (src/language/support.ts); CALL_LANGUAGE otherwise.
  const language = config.CALL_LANGUAGE;
  const hears = (l: Language) => recognises(providers.asr, l);
  // Campaigns dial through the same outbound path as POST /v1/calls; every replica runs the engine (engine.ts).
  const outbound: OutboundDeps = {
    store: calls,
    placer: rest,
    admission: capacity,
    destinations,
    suppressed,
    language,
    hears,
    log,
  };
  const campaigns = rest
    ? new CampaignEngine({
        pool: db.pool,
        outbound,
        plan: opts.campaigns?.plan ?? planNextAttempt,
        defaultTimeZone: config.CALL_DEFAULT_TIMEZONE,
        maxConcurrentCalls: config.MAX_CONCURRENT_CALLS,
        localRoom: () => capacity.max - capacity.active,
        single: db.embedded !== undefined,
        ...(opts.campaigns ? { clock: opts.campaigns.clock, tickMs: 0 } : {}),
        log,
        metrics,
        onCampaignsDone: webhookEvents?.campaignsCompleted,
      })
    : undefined;

  // One count of wrong tokens per client for the API and the review page's sign-in.
  const logins = new LoginThrottle({ trustedHops: config.TRUST_PROXY_HOPS, metrics });
  const routes = appRoutes({
    config,
    db,
    dsp,
    metrics,
    isDraining,
    outbound,
    streamTokens,
    liveCalls,
    recordings: extras.recordings,
    monitor,
    listenTickets,
    logins,
    clock,
    log,
  });

  // INSPECT=true: every call actor streams to the Stately inspector bridge on loopback (see docs/call-machine.md).
  const inspector = await inspectorFromConfig(config, log);
  if (inspector) log.info({ url: inspector.url }, 'live call inspector: open this URL');

  const server = new TelephonyServer({
    uws: loadUws({ fallbackRequested: config.UWS_USE_FALLBACK !== undefined }),
    host: config.HOST,
    port: config.PORT,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    twilioAuthToken: config.TWILIO_AUTH_TOKEN,
    apiToken: config.API_TOKEN,
    allowedHosts: config.ALLOWED_HOSTS,
    logins,
    admission: capacity,
    streamTokens,
    twilioAccountSid: config.TWILIO_ACCOUNT_SID,
    callStore: calls,
    liveCalls,
    keypad: { mode: config.KEYPAD_MODE, rest },
    routes,
    sockets: [listenSocket(monitor, listenTickets, log)],
    handlerFactory: createCallHandlerFactory({
      providers,
      timing: opts.timing ?? timingFromConfig(config),
      log,
      recorder,
      metrics,
      rest,
      lookup: (callId) => calls.peek(callId),
      observer: observers(opts.observer, monitor),
      replyPolicy: opts.replyPolicy,
      ttsPrefetch: config.TTS_PREFETCH,
      ivrPaths: new DbIvrPaths({ pool: db.pool, queue, log }),
      voicemail: {
        mode: config.VOICEMAIL_ACTION,
        callbackNumber: config.VOICEMAIL_CALLBACK_NUMBER ?? config.TWILIO_PHONE_NUMBER,
      },
      timeZone: config.CALL_DEFAULT_TIMEZONE,
      language,
      extras: extras.deps,
      flows,
      inspect: opts.inspect ?? inspector?.inspect,
      tracing,
      desk: {
        db: db.pool,
        brain: deskBrain(providers.llm, config),
        maxAgeDays: config.FACTS_MAX_AGE_DAYS,
        defaultTimeZone: config.CALL_DEFAULT_TIMEZONE,
        rest,
        now: clock && (() => clock.now()),
        onBlocked: (problems) => metrics.deskGuardBlocked(problems),
      },
    }),
    dsp,
    // The configured classifier; each call counts the one that ran (gym_agent_vad_streams_total{kind}).
    createVad: vadPortFactory(dsp, { kind: config.VAD_KIND }, (kind) => metrics.vadRan(kind)),
    log,
  });
  const port = await server.listen();
  // After listen: a campaign's calls need the webhooks and media streams this server answers.
  await campaigns?.start();
  const deliverer =
    webhooks &&
    new WebhookDeliverer({ pool: db.pool, settings: webhooks, log, metrics: webhookMetrics(metrics.registry) });
  deliverer?.start();
  // The receiver's origin only: a path may carry the receiver's own token (automation services put one there).
  if (webhooks) log.info({ receiver: webhooks.url.origin, events: [...webhooks.events] }, 'webhooks on');
  // The line a person reads to know the server is up: where it listens and where to look at the calls.
  const review = reviewUrl(config, port);
  const signIn = config.API_TOKEN === undefined ? '' : ' (password: API_TOKEN)';
  log.info(
    { port, publicBaseUrl: config.PUBLIC_BASE_URL, review },
    `listening on port ${port}; calls at ${review}${signIn}`,
  );

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      monitor.close();
      server.close();
      await inspector?.stop();
      // Streams closed just now end their calls from their close handlers; a wrap-up pass those calls start (facts
      // from the caller's last words) must hand its facts to the write queue before the queue closes. Bounded by
      // the passes' own timeouts.
      await new Promise((resolve) => setImmediate(resolve));
      await wrapUpsSettled();
      // Every call has ended its trace by now (or is cut short here); the last spans leave, bounded.
      await tracing.shutdown();
      // Nothing new is dialled; calls placed go on and are settled by whichever replica runs (or this one, next start).
      await campaigns?.stop();
      // Attempts in flight finish (each within WEBHOOK_TIMEOUT_MS); events still pending wait in the database.
      await deliverer?.stop();
      await extras.close();
      await callEvents.close();
      const stats = await queue.close(10_000);
      if (stats.dropped > 0) log.error({ dropped: stats.dropped }, 'database writes lost at shutdown');
      await leases.stop();
      await db.close();
    })());

  const drain = new Drain({
    graceMs: config.SHUTDOWN_GRACE_MS,
    activeCalls: () => capacity.active,
    whenIdle: () => capacity.whenIdle(),
    shutdown,
    log,
    ...(opts.installSignalHandlers ? {} : { exit: () => undefined }),
  });
  draining.drain = drain;
  if (opts.installSignalHandlers) drain.installSignalHandlers();

  return {
    port,
    config,
    db,
    dsp,
    log,
    metrics,
    providers,
    calls,
    capacity,
    campaigns,
    drain: (reason) => drain.start(reason),
    flush: (timeoutMs) => queue.drain(timeoutMs),
    close: shutdown,
  };
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    process.stderr.write(`${isAppError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    return 1;
  }
  const log = createLogger(config.LOG_LEVEL);
  try {
    await startServer(config, { log, installSignalHandlers: true });
  } catch (e) {
    log.fatal({ err: e, code: isAppError(e) ? e.code : undefined }, 'start-up failed');
    process.stderr.write(`gym-call-agent: ${isAppError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    return 1;
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then((code) => {
    if (code !== 0) process.exitCode = code;
  });
}
