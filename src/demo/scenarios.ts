import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../dsp/index.js';
import type { Dsp } from '../dsp/types.js';
import type { Logger } from '../log.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { runPersonaCall, type DemoJson } from './call.js';
import type { DemoEnvironment } from './environment.js';
import type { AgentEars } from './receptionist.js';
import { loadPersona, type Persona } from './persona.js';
import { checkLine, fasterSecond } from './line-checks.js';
import { formatLineTable } from './line-table.js';
import type { ToneDetections } from '../sim/keys.js';
import { expectedFacts, scoreFacts, type FactScore } from './score.js';
import type { SpelledParty } from './spelled-line.js';

// The scenario suite: every persona in scenarios/ called once through the real server, then checked against the
// issue's expectations. Checks are computed from what was measured (database facts, the simulator's audio
// timing, the machine's counters, the agent's words), never from the persona script itself.

export interface ScenarioOutcome {
  persona: Persona;
  json: DemoJson | undefined;
  score: FactScore | undefined;
  failures: string[];
  error: string | undefined;
  /** A repeat call's first call (the one that taught the server the menu path). */
  first?: DemoJson | undefined;
  /** Both legs as a stereo WAV (left: gym, right: agent) when the environment records. */
  wav?: Buffer | undefined;
}

export interface SuiteSummary {
  outcomes: ScenarioOutcome[];
  /** Checks over the whole suite (overall fact accuracy, response-gap median). */
  suiteFailures: string[];
  /** Overall accuracy: over the personas meant to give every fact (see `counted`). */
  factsCorrect: number;
  factsTotal: number;
  /** Personas whose facts count towards the overall figure (not those with `expect.minFactsCorrect: 0`). */
  counted: ReadonlySet<string>;
  gapMedianMs: number | undefined;
}

/** Where the suite's personas live: the conversations, and the phone lines of issue 16. */
export function scenarioDirs(): { base: string; flows: string; noisy: string } {
  const root = join(packageRoot(), 'scenarios');
  return { base: root, flows: join(root, 'flows'), noisy: join(root, 'noisy') };
}

export async function loadScenarios(
  dirs: string | readonly string[] = [scenarioDirs().base, scenarioDirs().flows],
  only?: readonly string[],
): Promise<Persona[]> {
  const all: Persona[] = [];
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    all.push(...(await Promise.all(files.map((f) => loadPersona(join(dir, f))))));
  }
  const problems = suiteProblems(all);
  if (problems.length > 0) throw new Error(`the scenarios do not fit together:\n  ${problems.join('\n  ')}`);
  if (!only || only.length === 0) return all;
  const missing = only.filter((n) => !all.some((p) => p.name === n));
  if (missing.length > 0)
    throw new Error(`no such scenario: ${missing.join(', ')} (have: ${all.map((p) => p.name).join(', ')})`);
  return all.filter((p) => only.includes(p.name));
}

/**
 * Names are unique, and a phone line's number is its own: the server remembers a gym's menu path by number, so
 * two personas sharing one would hand each other a path.
 */
export function suiteProblems(all: readonly Persona[]): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  const lines = new Map<string, string>();
  for (const p of all) {
    if (names.has(p.name)) out.push(`two personas are named ${p.name}`);
    names.add(p.name);
  }
  for (const p of all) {
    const owner = lines.get(p.gym.phone);
    if (owner !== undefined && (p.flow !== undefined || all.find((x) => x.name === owner)?.flow !== undefined))
      out.push(`${p.name} and ${owner} share the gym number ${p.gym.phone}`);
    lines.set(p.gym.phone, p.name);
  }
  return out;
}

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** A deliberate interruption over a noisy line must stop the agent this soon after her voice begins (ms). */
export const INTERRUPTION_MAX_MS = 400;

const AGENT_ENDS = new Set(['facts-complete', 'caller-request', 'max-duration', 'idle']);

/** Per-call checks (the issue's expectations plus the persona's own `expect`). */
export function checkCall(p: Persona, j: DemoJson, score: FactScore): string[] {
  const f: string[] = [];
  const m = j.metrics;
  const e = p.expect;
  if (e.minFactsCorrect !== undefined && score.correct < Math.ceil(e.minFactsCorrect * score.total - 1e-9))
    f.push(`facts ${score.correct}/${score.total} below ${Math.round(e.minFactsCorrect * 100)}%`);
  // On a phone line nothing may be stored from a menu, a greeting or an announcement: no wrong fact at all.
  const maxWrong = e.maxFactsWrong ?? (p.flow ? 0 : undefined);
  if (maxWrong !== undefined && score.storedWrong > maxWrong)
    f.push(`facts ${score.storedWrong} stored wrong (at most ${maxWrong})`);
  if (AGENT_ENDS.has(m.endReason) && m.goodbyeCompleted !== true)
    f.push('agent ended the call but its goodbye did not finish playing');
  if (m.repeatedQuestions > 0) f.push(`${m.repeatedQuestions} repeated question(s)`);
  if (m.greetings > 1) f.push(`${m.greetings} greetings`);
  const b = p.behaviour;
  // Any stop of the agent's audio counts: a pause that resumed is still the agent cut off by a backchannel.
  const stops = m.stops;
  if ((b.backchannelDuringAgentSpeech || b.coughDuringAgentSpeech) && (stops > 0 || m.bargeIns > 0))
    f.push(
      `backchannel/cough interrupted the agent (stops ${stops}, barge-ins ${m.bargeIns}, false ${m.falseBargeIns})`,
    );
  if (p.background !== undefined && m.falseBargeIns > 0)
    f.push(`${m.falseBargeIns} false barge-in(s) on a noisy line (the agent stopped with nobody speaking)`);
  if (p.background !== undefined && b.interruptAgent !== null) {
    const ms = m.onsetToStopMs[0];
    if (ms === undefined) f.push('her interruption never stopped the agent');
    else if (ms > INTERRUPTION_MAX_MS)
      f.push(`her interruption stopped the agent ${ms} ms after her onset (> ${INTERRUPTION_MAX_MS})`);
  }
  if (e.endReason !== undefined && m.endReason !== e.endReason)
    f.push(`end reason ${m.endReason}, expected ${e.endReason}`);
  if (e.minBargeIns !== undefined && m.bargeIns < e.minBargeIns) f.push(`barge-ins ${m.bargeIns} < ${e.minBargeIns}`);
  if (e.goodbyeCompleted !== undefined && m.goodbyeCompleted !== e.goodbyeCompleted)
    f.push(`goodbye completed ${String(m.goodbyeCompleted)}, expected ${String(e.goodbyeCompleted)}`);
  return f;
}

export interface SuiteOptions {
  readonly env: DemoEnvironment;
  /** The environment for a persona that changes server settings (`server`); default `env`. */
  readonly envFor?: (p: Persona) => Promise<DemoEnvironment>;
  /** A DTMF detector for the gym's line (personas with a `flow`). */
  readonly keyDetector?: () => ToneDetections;
  readonly personas: readonly Persona[];
  readonly tts: TtsProvider;
  readonly dsp: Pick<Dsp, 'createResampler' | 'ulawEncode' | 'ulawDecode'>;
  readonly ears: () => Promise<AgentEars>;
  readonly log: Logger;
  readonly agentQuietMs?: number;
  /** Every call's agent audio echoes back on the gym's line (delay, loss). */
  readonly echo?: { delayMs: number; lossDb: number } | undefined;
  /** Largest acceptable response-gap median (ms). */
  readonly maxGapMedianMs?: number;
  readonly onOutcome?: (o: ScenarioOutcome, index: number) => void;
  /** The server, voice and ears of a persona who speaks another language than English (spelled-line.ts). */
  readonly spelled?: () => Promise<SpelledParty>;
}

/** Whether a persona's call runs with spelled speech: she or the call speaks a language other than English. */
export function speaksSpelled(p: Persona): boolean {
  return p.language !== 'en' || (p.callLanguage ?? 'en') !== 'en';
}

export async function runSuite(o: SuiteOptions): Promise<SuiteSummary> {
  const outcomes: ScenarioOutcome[] = [];
  for (const [i, persona] of o.personas.entries()) {
    let outcome: ScenarioOutcome;
    try {
      const spelled = speaksSpelled(persona) ? await o.spelled?.() : undefined;
      if (speaksSpelled(persona) && spelled === undefined)
        throw new Error(`persona ${persona.name} speaks ${persona.language}: the suite has no spelled line for it`);
      const env = spelled?.env ?? (persona.server && o.envFor ? await o.envFor(persona) : o.env);
      const call = () =>
        runPersonaCall({
          env,
          persona,
          tts: spelled?.tts ?? o.tts,
          dsp: o.dsp,
          ears: spelled?.ears ?? o.ears,
          ...(o.keyDetector ? { keyDetector: o.keyDetector } : {}),
          ...(o.agentQuietMs === undefined ? {} : { agentQuietMs: o.agentQuietMs }),
          echo: o.echo,
          timeoutMs: env.server.config.MAX_CALL_MS + 60_000,
        });
      // A repeat call: the first call teaches the server the gym's menu path, the second is the one scored.
      const first = persona.expect.repeatCall === true ? await call() : undefined;
      const r = await call();
      const score = scoreFacts(expectedFacts(persona), r.json.facts);
      const failures = [...checkCall(persona, r.json, score), ...checkLine(persona, r.json)];
      if (first)
        failures.push(
          ...checkLine(persona, first.json).map((x) => `first call: ${x}`),
          ...fasterSecond(first.json, r.json),
        );
      outcome = { persona, json: r.json, first: first?.json, score, failures, error: undefined, wav: r.wav };
    } catch (e) {
      o.log.error({ err: (e as Error).message, persona: persona.name }, 'scenario failed to run');
      outcome = {
        persona,
        json: undefined,
        score: undefined,
        failures: ['did not complete'],
        error: (e as Error).message,
      };
    }
    outcomes.push(outcome);
    o.onOutcome?.(outcome, i);
  }
  const { correct, total, counted } = tallyFacts(outcomes);
  const gaps = outcomes.flatMap((x) => x.json?.metrics.responseGapsMs ?? []);
  const gapMedianMs = median(gaps);
  const suiteFailures: string[] = [];
  if (total > 0 && correct / total < 0.9) suiteFailures.push(`overall facts ${correct}/${total} below 90%`);
  const maxGap = o.maxGapMedianMs ?? 1000;
  if (gapMedianMs === undefined) suiteFailures.push('no response gaps measured');
  else if (gapMedianMs > maxGap)
    suiteFailures.push(`response-gap median ${Math.round(gapMedianMs)} ms above ${maxGap} ms`);
  return { outcomes, suiteFailures, factsCorrect: correct, factsTotal: total, counted, gapMedianMs };
}

/** Overall accuracy over personas that are meant to give their facts (not the one that hangs up early). */
export function tallyFacts(outcomes: readonly ScenarioOutcome[]): {
  correct: number;
  total: number;
  counted: Set<string>;
} {
  let correct = 0;
  let total = 0;
  const counted = new Set<string>();
  for (const x of outcomes) {
    if ((x.persona.expect.minFactsCorrect ?? 1) === 0) continue;
    counted.add(x.persona.name);
    correct += factsOf(x).correct;
    total += factsOf(x).total;
  }
  return { correct, total, counted };
}

/** A row's facts: as scored, or none of what the persona knows when the call did not complete. */
function factsOf(o: ScenarioOutcome): { correct: number; total: number } {
  if (o.score) return o.score;
  const e = expectedFacts(o.persona);
  return { correct: 0, total: Object.keys(e.hours).length + e.pricing.length + e.classes.length };
}

/** The table of the issue: persona, facts, gap median, barge-ins, false barge-ins, goodbye, repeats, end reason. */
export function formatTable(s: SuiteSummary): string {
  const head = [
    'persona',
    'facts',
    'gap p50',
    'barge-ins',
    'false b-i',
    'onset→stop',
    'goodbye',
    'repeats',
    'greetings',
    'end reason',
    'result',
  ];
  const rows = s.outcomes.map((o) => {
    const m = o.json?.metrics;
    const gm = median(m?.responseGapsMs ?? []);
    const mark = s.counted.has(o.persona.name) ? '' : ' *';
    return [
      o.persona.name,
      `${factsOf(o).correct}/${factsOf(o).total}${mark}`,
      gm === undefined ? '-' : `${Math.round(gm)} ms`,
      m ? String(m.bargeIns) : '-',
      m ? String(m.falseBargeIns) : '-',
      m && m.onsetToStopMs.length > 0 ? m.onsetToStopMs.map((x) => `${x} ms`).join(' ') : '-',
      m ? (m.goodbyeCompleted === null ? 'n/a' : m.goodbyeCompleted ? 'yes' : 'NO') : '-',
      m ? String(m.repeatedQuestions) : '-',
      m ? String(m.greetings) : '-',
      m?.endReason ?? (o.error ? 'error' : '-'),
      o.failures.length === 0 ? 'ok' : `FAIL: ${o.failures.join('; ')}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const lines = [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
  lines.push('');
  // The overall figure leaves out personas that are not meant to give every fact, so it is not the column's sum:
  // say which rows it covers and give the plain sum too, so the numbers on screen add up.
  const all = s.outcomes.reduce(
    (a, o) => ({ correct: a.correct + factsOf(o).correct, total: a.total + factsOf(o).total }),
    { correct: 0, total: 0 },
  );
  const left = s.outcomes.length - s.counted.size;
  lines.push(
    `overall facts ${s.factsCorrect}/${s.factsTotal}` +
      (s.factsTotal > 0 ? ` (${Math.round((100 * s.factsCorrect) / s.factsTotal)}%)` : '') +
      (left > 0 ? `: the ${s.counted.size} rows without *` : '') +
      `; all ${s.outcomes.length} rows together ${all.correct}/${all.total}`,
  );
  if (left > 0)
    lines.push('* not in the overall figure: the persona is not meant to give every fact (expect.minFactsCorrect 0)');
  lines.push(`response-gap median ${s.gapMedianMs === undefined ? 'n/a' : `${Math.round(s.gapMedianMs)} ms`}`);
  const phoneLines = formatLineTable(s.outcomes);
  if (phoneLines !== '') lines.push('', phoneLines);
  for (const f of s.suiteFailures) lines.push(`FAIL: ${f}`);
  return lines.join('\n');
}
