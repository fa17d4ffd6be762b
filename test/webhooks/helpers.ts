// What the webhook tests share: a signing secret, a simulated clock (ahead of the real time, so events the
// database stamps now() are due on it), deliverers pointed at a test receiver, and the loop that ticks them and
// jumps the clock to the next due attempt until nothing is pending, so a day of retries takes milliseconds.
import type pg from 'pg';
import { createLogger } from '../../src/log.js';
import { WebhookDeliverer, type DelivererOptions } from '../../src/webhooks/deliver.js';
import { webhookSecretKey } from '../../src/webhooks/config.js';

export const SECRET = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;

export class SimClock {
  // A minute ahead of the real time: events stamped by the database's now() while the test sets up are due.
  ms = Date.now() + 60_000;
  readonly now = (): Date => new Date(this.ms);
}

/** A seeded generator, so the jitter drawn differs from wait to wait but not from run to run. */
export function seeded(seed = 42): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function deliverer(
  pool: pg.Pool,
  url: string,
  clock: SimClock,
  o: Partial<Pick<DelivererOptions, 'concurrency' | 'fetch'>> & { timeoutMs?: number; maxAttempts?: number } = {},
): WebhookDeliverer {
  const key = webhookSecretKey(SECRET);
  if (typeof key === 'string') throw new Error(key);
  return new WebhookDeliverer({
    pool,
    settings: {
      url: new URL(url),
      key,
      timeoutMs: o.timeoutMs ?? 2000,
      maxAttempts: o.maxAttempts ?? 8,
      retentionDays: 14,
    },
    log: createLogger('silent'),
    clock,
    random: seeded(),
    pollMs: 0,
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
}

/** An event straight into the outbox (the delivery tests; events.test.ts writes them through the real paths). */
export async function addEvent(pool: pg.Pool, name: string): Promise<string> {
  const r = await pool.query<{ id: string }>(
    `INSERT INTO webhook_events (type, dedupe_key, payload) VALUES ('call.completed', $1, $2) RETURNING id`,
    [`test:${name}:${Math.random()}`, JSON.stringify({ name })],
  );
  return r.rows[0]?.id as string;
}

/**
 * Ticks every deliverer at once (their claims race, as replicas' do) until no event is pending, jumping the clock
 * to the next due attempt in between; returns how many steps it took.
 */
export async function deliverAll(
  pool: pg.Pool,
  deliverers: readonly WebhookDeliverer[],
  clock: SimClock,
  maxSteps = 500,
): Promise<number> {
  for (let step = 1; step <= maxSteps; step++) {
    await Promise.all(deliverers.map((d) => d.tick()));
    await Promise.all(deliverers.map((d) => d.idle()));
    const r = await pool.query<{ next: Date | null }>(
      "SELECT min(GREATEST(next_at, COALESCE(lease_until, next_at))) AS next FROM webhook_events WHERE state = 'pending'",
    );
    const next = r.rows[0]?.next ?? null;
    if (next === null) return step;
    clock.ms = Math.max(clock.ms, next.getTime());
  }
  throw new Error(`events still pending after ${maxSteps} steps`);
}

export async function stateOf(pool: pg.Pool, id: string) {
  const r = await pool.query<{ state: string; attempts: number }>(
    'SELECT state, attempts FROM webhook_events WHERE id = $1',
    [id],
  );
  return r.rows[0];
}
