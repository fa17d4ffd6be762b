import type { Clock } from './campaigns/engine.js';
import { campaignRoutes } from './campaigns/routes.js';
import { suppressionRoutes } from './compliance/routes.js';
import type { Config } from './config/index.js';
import { costRoutes } from './costs/routes.js';
import { analyticsRoutes } from './analytics/routes.js';
import { withDbRetryAfter } from './db/call-store.js';
import type { Database } from './db/pool.js';
import { pendingMigrations } from './db/migrate.js';
import { dbRoutes } from './db/routes.js';
import type { Dsp } from './dsp/types.js';
import { calledNumber } from './frontdesk/wiring.js';
import { deskRoutes } from './frontdesk/routes.js';
import { gymsRoutes } from './gyms/routes.js';
import type { LoginThrottle } from './http/auth.js';
import { RateLimiter, withRateLimit } from './http/rate-limit.js';
import type { Route } from './http/types.js';
import type { Logger } from './log.js';
import type { MonitorHub } from './monitor/hub.js';
import { monitorRoutes } from './monitor/routes.js';
import type { ListenTickets } from './monitor/ticket.js';
import { addonCheck, databaseCheck, healthRoutes, migrationsCheck } from './ops/health.js';
import type { Metrics } from './ops/metrics.js';
import type { RecordingStore } from './recordings/store.js';
import { reviewRoutes } from './review/routes.js';
import { amdRoutes } from './telephony/amd.js';
import type { LiveCalls } from './telephony/live-calls.js';
import { callsRoutes } from './telephony/calls-api.js';
import type { OutboundDeps } from './telephony/outbound.js';
import type { StreamTokens } from './telephony/stream-token.js';
import { twilioRoutes } from './telephony/webhooks.js';
import { webhookRoutes } from './webhooks/routes.js';

// Every HTTP route the server answers, composed from each concern's own routes: health first (never rate
// limited), then the rest behind one per-client rate limit. Webhooks and the calls API that need the call store
// answer 503 with Retry-After while the database is down (withDbRetryAfter).

export interface AppRouteDeps {
  readonly config: Config;
  readonly db: Database;
  readonly dsp: Dsp;
  readonly metrics: Metrics;
  readonly isDraining: () => boolean;
  /** The outbound path (POST /v1/calls) and what the voice webhook admits calls with. */
  readonly outbound: OutboundDeps;
  readonly streamTokens: StreamTokens;
  readonly liveCalls: LiveCalls;
  readonly recordings: RecordingStore | undefined;
  readonly monitor: MonitorHub;
  readonly listenTickets: ListenTickets;
  readonly logins: LoginThrottle;
  /** The campaigns' simulated clock (the demo): the review page's freshness is read against it. */
  readonly clock: Clock | undefined;
  readonly log: Logger;
}

export function appRoutes(d: AppRouteDeps): Route[] {
  const { config, db, metrics, outbound, log, logins, clock } = d;
  const { pool } = db;
  const maxAgeDays = config.FACTS_MAX_AGE_DAYS;
  const health = healthRoutes({
    checks: [
      databaseCheck(() => pool.query('SELECT 1')),
      migrationsCheck(async () => ((await pendingMigrations(pool)) > 0 ? ['pending'] : [])),
      addonCheck(() => d.dsp.kernels()),
    ],
    metrics,
    isDraining: d.isDraining,
  });
  const twilio = config.PUBLIC_BASE_URL
    ? [
        ...withDbRetryAfter(
          twilioRoutes({
            store: outbound.store,
            admission: outbound.admission,
            publicBaseUrl: config.PUBLIC_BASE_URL,
            streamTokens: d.streamTokens,
            numbers: (to) => calledNumber(pool, to),
            language: outbound.language,
            hears: outbound.hears,
            onUnheard: (l, mode, action) => metrics.inboundLanguageUnheard(l, mode, action),
            log,
          }),
        ),
        ...withDbRetryAfter(
          amdRoutes({ store: outbound.store, liveCalls: d.liveCalls, accountSid: config.TWILIO_ACCOUNT_SID, log }),
        ),
      ]
    : [];
  const limited = [
    ...twilio,
    // Reads (GET /v1/calls/:id with transcript and facts, /v1/gyms) come from the database; the telephony calls
    // API places calls (POST /v1/calls).
    ...dbRoutes({ pool, log }),
    ...costRoutes({ pool, log }),
    ...gymsRoutes({
      pool,
      destinations: outbound.destinations,
      defaultTimeZone: config.CALL_DEFAULT_TIMEZONE,
      factsMaxAgeDays: maxAgeDays,
      log,
    }),
    ...suppressionRoutes({ pool, log }),
    ...deskRoutes({ pool, log }),
    ...withDbRetryAfter(callsRoutes(outbound)),
    ...campaignRoutes({ pool, factsMaxAgeDays: maxAgeDays, log }),
    ...webhookRoutes({ pool, log }),
    ...reviewRoutes({ pool, apiToken: config.API_TOKEN, logins, log, recordings: d.recordings }, { maxAgeDays, clock }),
    ...analyticsRoutes({ pool, apiToken: config.API_TOKEN, logins, log, maxAgeDays, clock }),
    ...monitorRoutes({ hub: d.monitor, tickets: d.listenTickets, apiToken: config.API_TOKEN, logins, log }),
  ];
  return [
    ...health,
    ...withRateLimit(limited, {
      limiter: new RateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE }),
      trustedHops: config.TRUST_PROXY_HOPS,
      metrics,
    }),
  ];
}
