import { Counter, Gauge, type Registry } from 'prom-client';

// Prometheus series of the live monitor, on the app's registry: what slow pages and listeners missed (a rate of drops
// says a watcher's network cannot keep up; the calls never notice), and how many watch and listen now.

export type MonitorStream = 'events' | 'audio';

export interface MonitorMetrics {
  /** `n` events a page missed (it got a snapshot instead, or a meter reading was skipped), or μ-law frames. */
  dropped(stream: MonitorStream, n: number): void;
  watching(kind: 'events' | 'listen', n: number): void;
}

export function monitorMetrics(registry: Registry): MonitorMetrics {
  const registers = [registry];
  const dropped = new Counter({
    name: 'gym_agent_monitor_dropped_total',
    help: 'What the live monitor did not deliver to a slow watcher: events (a snapshot followed) or audio frames',
    labelNames: ['stream'],
    registers,
  });
  const watching = new Gauge({
    name: 'gym_agent_monitor_watchers',
    help: 'Live monitor pages watching (events) and people listening in (listen) on this replica',
    labelNames: ['kind'],
    registers,
  });
  return {
    dropped: (stream, n) => dropped.inc({ stream }, n),
    watching: (kind, n) => watching.set({ kind }, n),
  };
}
