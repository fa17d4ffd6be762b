import { Counter, Histogram, type Registry } from 'prom-client';
import type { WebhookEventType } from './config.js';
import type { AttemptResult } from './outbox.js';

// Prometheus series of webhook delivery, on the app's registry (src/ops/metrics.ts's): attempts by event type and
// result (delivered, retry, dead: a rate of dead is the alert), and how long receivers take to answer.

export interface WebhookMetrics {
  attempt(type: WebhookEventType, result: AttemptResult, seconds: number): void;
}

export function webhookMetrics(registry: Registry): WebhookMetrics {
  const registers = [registry];
  const attempts = new Counter({
    name: 'gym_agent_webhook_attempts_total',
    help: 'Webhook delivery attempts by event type and result: delivered, retry (failed, tried again later), dead',
    labelNames: ['type', 'result'],
    registers,
  });
  const seconds = new Histogram({
    name: 'gym_agent_webhook_attempt_seconds',
    help: 'Time from sending a webhook to its answer, error or timeout',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  return {
    attempt(type, result, s) {
      attempts.inc({ type, result });
      seconds.observe(s);
    },
  };
}
