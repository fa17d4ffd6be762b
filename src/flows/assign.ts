import { createHash } from 'node:crypto';
import type { TurnTiming } from '../../machines/timing.js';
import type { Flows, Variant } from './load.js';
import type { EndpointingWaits } from './variant.js';

// Which variant a call runs: a gym is identified by its phone number (E.164: the callee of an outbound call, the
// caller of an inbound one), and SHA-256 of (experiment, number) picks a point in [0, 100) that falls in one of the
// variants' weighted buckets. Nothing is stored or shared to decide it, so the same gym gets the same variant on every
// call, in both directions and on every replica; another experiment name shuffles the gyms afresh. A call without a
// usable number (a withheld caller ID) runs the control flow and is marked so (`by: 'default'`): the report leaves it
// out, since no gym was assigned.

export interface FlowAssignment {
  readonly experiment: string;
  readonly variant: Variant;
  /** 'gym': assigned by the gym's number; 'default': no number, so the control flow. */
  readonly by: 'gym' | 'default';
}

/** The number as the assignment reads it: E.164 with formatting removed, or undefined when it is not one. */
export function gymKey(phone: string | undefined): string | undefined {
  const compact = phone?.replace(/[\s().-]/g, '');
  return compact !== undefined && /^\+[1-9]\d{6,14}$/.test(compact) ? compact : undefined;
}

/** The point in [0, 100) of `key` in `experiment`: 48 bits of SHA-256, uniform for any practical number of gyms. */
export function bucketPoint(experiment: string, key: string): number {
  const digest = createHash('sha256').update(`${experiment}\n${key}`).digest();
  return (digest.readUIntBE(0, 6) / 2 ** 48) * 100;
}

export function assignFlow(flows: Flows, phone: string | undefined): FlowAssignment {
  const key = gymKey(phone);
  const control = flows.variants.find((v) => v.name === 'control') as Variant;
  if (key === undefined) return { experiment: flows.experiment, variant: control, by: 'default' };
  const point = bucketPoint(flows.experiment, key);
  let upTo = 0;
  for (const v of flows.variants) {
    upTo += v.weight;
    if (point < upTo) return { experiment: flows.experiment, variant: v, by: 'gym' };
  }
  // Unreachable while the weights add up to 100 (checked when FLOWS is read).
  return { experiment: flows.experiment, variant: control, by: 'gym' };
}

/** The call's turn-taking with a variant's endpointing waits (undefined: the configured ones). */
export function withEndpointing(timing: TurnTiming, waits: EndpointingWaits | undefined): TurnTiming {
  if (waits === undefined) return timing;
  return Object.freeze({
    ...timing,
    endpointSemanticMs: waits.semanticMs,
    endpointShortMs: waits.shortMs,
    endpointLongMs: waits.longMs,
    endpointMaxMs: waits.maxMs,
  });
}
