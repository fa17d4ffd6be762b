import { json, type HttpResponse, type Route } from '../http/types.js';
import type { Metrics } from './metrics.js';

// /healthz answers "is the process alive and its event loop turning" and nothing else: a liveness probe that
// depends on the database would restart a healthy pod during a database outage. /readyz runs the pluggable
// readiness checks (database reachable, migrations applied, addon loaded, not draining) in parallel, each with
// a deadline so one hung dependency cannot hang the probe.

export interface CheckResult {
  ok: boolean;
  /** Short operator-facing reason; never secrets or personal data. */
  detail?: string;
}

export interface ReadinessCheck {
  name: string;
  run(): Promise<CheckResult> | CheckResult;
}

export interface CheckReport extends CheckResult {
  name: string;
  ms: number;
}

export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<CheckReport[]> {
  return Promise.all(
    checks.map(async (c) => {
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
      });
      let result: CheckResult;
      try {
        result = await Promise.race([Promise.resolve().then(() => c.run()), deadline]);
      } catch (e) {
        result = { ok: false, detail: e instanceof Error ? e.message : String(e) };
      } finally {
        clearTimeout(timer);
      }
      return { name: c.name, ...result, ms: Math.round(performance.now() - t0) };
    }),
  );
}

// ---- standard checks (the server wires them to the real db / dsp / drain objects) ----

/** Database reachable: `ping` runs a trivial query (SELECT 1) and rejects when the server is unreachable. */
export function databaseCheck(ping: () => Promise<unknown>): ReadinessCheck {
  return {
    name: 'database',
    async run() {
      await ping();
      return { ok: true };
    },
  };
}

/** Migrations applied: `pending` resolves to the names of migrations not yet applied. */
export function migrationsCheck(pending: () => Promise<readonly string[]>): ReadinessCheck {
  return {
    name: 'migrations',
    async run() {
      const names = await pending();
      return names.length === 0
        ? { ok: true }
        : { ok: false, detail: `${names.length} pending: ${names.slice(0, 5).join(', ')}` };
    },
  };
}

/** Addon loaded: `kernels` is dsp.kernels() of the loaded addon; throwing means it is not loaded. */
export function addonCheck(kernels: () => string): ReadinessCheck {
  return { name: 'dsp-addon', run: () => ({ ok: true, detail: kernels() }) };
}

export function notDrainingCheck(isDraining: () => boolean): ReadinessCheck {
  return { name: 'not-draining', run: () => (isDraining() ? { ok: false, detail: 'draining' } : { ok: true }) };
}

export interface HealthOptions {
  checks: readonly ReadinessCheck[];
  metrics?: Metrics;
  /** Per-check deadline; keep it below the probe's timeoutSeconds. Default 2000 ms. */
  checkTimeoutMs?: number;
  /** Checked first and without running the others, so readiness flips the instant a drain starts. */
  isDraining?: () => boolean;
  startedAt?: number;
}

const noStore = { 'cache-control': 'no-store' };

export function healthRoutes(opts: HealthOptions): Route[] {
  const startedAt = opts.startedAt ?? Date.now();
  const timeoutMs = opts.checkTimeoutMs ?? 2000;
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/healthz',
      auth: 'none',
      handler: async () => json(200, { status: 'ok', uptimeS: Math.round((Date.now() - startedAt) / 1000) }, noStore),
    },
    {
      method: 'GET',
      pattern: '/readyz',
      auth: 'none',
      handler: async (): Promise<HttpResponse> => {
        if (opts.isDraining?.()) {
          return json(503, { status: 'draining', checks: [{ name: 'not-draining', ok: false }] }, noStore);
        }
        const checks = await runChecks(opts.checks, timeoutMs);
        const ok = checks.every((c) => c.ok);
        return json(ok ? 200 : 503, { status: ok ? 'ready' : 'not-ready', checks }, noStore);
      },
    },
  ];
  const metrics = opts.metrics;
  if (metrics) {
    routes.push({
      method: 'GET',
      pattern: '/metrics',
      auth: 'none',
      handler: async () => {
        const { contentType, body } = await metrics.render();
        return { status: 200, headers: { 'content-type': contentType, ...noStore }, body };
      },
    });
  }
  return routes;
}
