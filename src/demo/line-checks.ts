import type { DemoJson, LineJson } from './call.js';
import type { Flow } from './flow-schema.js';
import type { Persona } from './persona.js';
import { soundWithin } from './switchboard.js';

// The checks of issue 16 on a call through a persona's phone line, from what the gym's side measured (the keys
// its detector heard, when hold began and ended, when the agent's side made sound) and what the server stored
// (GET /v1/calls/{id}), never from the persona script or the agent's logs.

/** Agent sound inside a voicemail greeting or a hold that is still "not talking over it" (arrival jitter). */
export const SILENCE_TOLERANCE_MS = 100;
/** Shortest message after the beep that counts as left, unless the persona says otherwise. */
export const DEFAULT_MIN_MESSAGE_MS = 2000;

export function checkLine(p: Persona, j: DemoJson): string[] {
  const flow = p.flow;
  if (flow === undefined) return [];
  const f: string[] = [];
  const e = p.expect;
  const line = j.line;
  if (line === undefined) return ['the call has no line report'];
  if (e.outcome !== undefined && j.outcome !== e.outcome)
    f.push(`outcome ${j.outcome ?? 'none stored'}, expected ${e.outcome}`);
  if (e.keys !== undefined && line.keys !== e.keys) f.push(`keys heard "${line.keys}", expected "${e.keys}"`);
  if (e.minHoldMs !== undefined && line.holdMs < e.minHoldMs)
    f.push(`on hold ${fmtS(line.holdMs)}, expected at least ${fmtS(e.minHoldMs)}`);
  const vm = line.voicemail;
  if (vm !== null) {
    const over = soundWithin(line.agentSoundMs, vm.greetingFromMs, vm.greetingToMs);
    if (over > SILENCE_TOLERANCE_MS) f.push(`the agent made sound for ${Math.round(over)} ms during the greeting`);
    if (e.outcome === 'voicemail-left') {
      const msg = vm.beepAtMs === undefined ? 0 : soundWithin(line.agentSoundMs, vm.beepAtMs, Infinity);
      const min = e.minMessageMs ?? DEFAULT_MIN_MESSAGE_MS;
      if (msg < min) f.push(`message after the beep ${fmtS(msg)}, expected at least ${fmtS(min)}`);
    }
  }
  f.push(...holdSilence(flow, line));
  f.push(...storedSituations(flow, line));
  return f;
}

/** The agent says nothing while on hold (a hold that ended in a person; a timed-out hold ends the call). */
function holdSilence(flow: Flow, line: LineJson): string[] {
  const out: string[] = [];
  const path = line.path;
  for (let i = 0; i + 1 < path.length; i++) {
    const name = path[i] as string;
    if (flow.nodes[name]?.kind !== 'hold') continue;
    const from = line.pathAtMs[i] as number;
    const to = line.pathAtMs[i + 1] as number;
    const over = soundWithin(line.agentSoundMs, from, to);
    if (over > SILENCE_TOLERANCE_MS) out.push(`the agent made sound for ${Math.round(over)} ms on hold (${name})`);
  }
  return out;
}

/** A refusal or callback request the call met is stored on the call (GET /v1/calls/{id}). */
function storedSituations(flow: Flow, line: LineJson): string[] {
  const out: string[] = [];
  const refusals = Array.isArray(line.refusals) ? (line.refusals as { topic?: unknown; website?: unknown }[]) : [];
  for (const name of new Set(line.path)) {
    const n = flow.nodes[name];
    if (n?.kind !== 'person') continue;
    for (const r of n.refuses) {
      if (!line.asked.includes(r.topic)) continue;
      const got = refusals.find((x) => x.topic === r.topic);
      if (!got) out.push(`refusal of ${r.topic} not stored`);
      else if (r.website !== undefined && typeof got.website === 'string' && !sameSite(got.website, r.website))
        out.push(`refusal of ${r.topic} stored with website ${got.website}, said ${r.website}`);
      else if (r.website !== undefined && typeof got.website !== 'string')
        out.push(`refusal of ${r.topic} stored without the website ${r.website}`);
    }
    if (n.callback && n.callback.topics.some((t) => line.asked.includes(t)) && !line.callback)
      out.push('callback request not stored');
  }
  return out;
}

const sameSite = (a: string, b: string) =>
  a
    .toLowerCase()
    .replace(/^https?:\/\/(www\.)?/, '')
    .replace(/\/$/, '') ===
  b
    .toLowerCase()
    .replace(/^https?:\/\/(www\.)?/, '')
    .replace(/\/$/, '');

export function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The second call to a gym whose menu path was remembered reaches a person sooner than the first did. */
export function fasterSecond(first: DemoJson, second: DemoJson): string[] {
  const a = first.line?.personAtMs ?? null;
  const b = second.line?.personAtMs ?? null;
  if (a === null) return ['first call: no person reached'];
  if (b === null) return ['second call: no person reached'];
  return b < a ? [] : [`second call reached a person after ${fmtS(b)}, not sooner than the first (${fmtS(a)})`];
}
