import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { dspOptionsFromEnv } from '../config/index.js';
import { loadDsp } from '../dsp/index.js';
import { createLogger, type Logger } from '../log.js';
import { FliteTts } from '../providers/tts/flite.js';
import type { InspectionEvent } from 'xstate';
import { CallTrace } from './call-trace.js';
import { offlineEars } from './ears.js';
import { DemoEnvironment } from './environment.js';
import { formatTable, loadScenarios, runSuite, scenarioDirs } from './scenarios.js';
import { SpelledLine } from './spelled-line.js';
import { loadDeskPersonas, type DeskPersona } from './desk-persona.js';
import { formatDeskResults, runDeskPersona, type DeskOutcome } from './desk-scenarios.js';

// `gym-agent scenarios` / `npm run scenarios`: one server, every persona, a table and the checks.

export interface ScenarioCommandArgs {
  only: string[] | undefined;
  fastSubset: boolean;
  /** scenarios/noisy/ instead of scenarios/ and scenarios/flows/. */
  noisy?: boolean;
  /** Only the phone lines of scenarios/flows/. */
  flows?: boolean;
  /** scenarios/heldout/: personas written the way someone else would, outside the default suite. */
  heldout?: boolean;
  /** Only the front-desk callers of scenarios/front-desk/ (they also run after the default suite). */
  frontDesk?: boolean;
  /** Every call machine's events and state changes into this file, as JSON lines (--trace FILE). */
  trace?: string | undefined;
  /** The agent's audio echoes back on every gym's line (--echo MS:DB). */
  echo?: { delayMs: number; lossDb: number } | undefined;
  json: boolean;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export async function runScenarioCommand(a: ScenarioCommandArgs): Promise<number> {
  const d = scenarioDirs();
  const desk =
    a.frontDesk === true || (a.noisy !== true && a.flows !== true && a.heldout !== true && !a.fastSubset)
      ? await loadDeskPersonas(join(d.base, 'front-desk'), a.only)
      : [];
  if (a.frontDesk === true) return runDeskCommand(a, desk);
  const dirs =
    a.noisy === true
      ? [d.noisy]
      : a.flows === true
        ? [d.flows]
        : a.heldout === true
          ? [join(d.base, 'heldout')]
          : [d.base, d.flows];
  let personas = await loadScenarios(dirs, a.only);
  if (a.fastSubset) personas = personas.filter((p) => p.expect.fast === true);
  const log = createLogger(a.logLevel);
  const out = process.stdout;
  const progress = (s: string) => (a.json ? process.stderr : out).write(s + '\n');
  progress(`Running ${personas.length} scenario(s) through the offline server; each is a real-time phone call…`);
  const trace = a.trace === undefined ? undefined : new CallTrace(a.trace);
  const inspect = trace?.inspect;
  const env = await DemoEnvironment.start({ dataDir: a.dataDir, log, inspect });
  const dsp = loadDsp(dspOptionsFromEnv());
  const envs = new ServerSettings(a.dataDir, log, inspect);
  // The receptionist keeps flite's own level: the suite's recognition figures were measured with it.
  const tts = new FliteTts({ voice: 'slt', levelDbfs: null });
  // Personas speaking Spanish: their own server and voices, started at the first of them (spelled-line.ts).
  const spelled = new SpelledLine(a.dataDir, dsp, log, { inspect });
  try {
    const t0 = performance.now();
    const summary = await runSuite({
      env,
      personas,
      tts,
      dsp,
      ears: () => offlineEars(dsp),
      keyDetector: () => dsp.createToneDetector({ dtmf: true, beep: false }),
      envFor: (p) => envs.for(p.server ?? {}),
      spelled: () => spelled.party(),
      echo: a.echo,
      log,
      onOutcome: (o, i) => {
        const secs = ((performance.now() - t0) / 1000).toFixed(0);
        const verdict = o.failures.length === 0 ? 'ok' : `FAIL (${o.failures.join('; ')})`;
        progress(`[${i + 1}/${personas.length}] ${secs}s  ${o.persona.name}: ${verdict}`);
      },
    });
    if (a.json)
      out.write(
        JSON.stringify({
          scenarios: summary.outcomes.map((o) => ({
            persona: o.persona.name,
            factsCorrect: o.score?.correct ?? null,
            factsTotal: o.score?.total ?? null,
            failures: o.failures,
            error: o.error ?? null,
            result: o.json ?? null,
          })),
          factsCorrect: summary.factsCorrect,
          factsTotal: summary.factsTotal,
          gapMedianMs: summary.gapMedianMs ?? null,
          suiteFailures: summary.suiteFailures,
        }) + '\n',
      );
    else out.write('\n' + formatTable(summary) + '\n');
    const failed = summary.suiteFailures.length > 0 || summary.outcomes.some((o) => o.failures.length > 0);
    const deskFailed = desk.length > 0 && (await runDesk(env, desk, tts, dsp, a, progress)) > 0;
    return failed || deskFailed ? 1 : 0;
  } finally {
    await tts.close();
    await spelled.close();
    await envs.close();
    await env.close();
    await trace
      ?.close()
      .catch((e: unknown) => log.error({ err: (e as Error).message }, 'the trace could not be written'));
  }
}

/** `--front-desk`: the front-desk callers only, on a server of their own. */
async function runDeskCommand(a: ScenarioCommandArgs, personas: DeskPersona[]): Promise<number> {
  const log = createLogger(a.logLevel);
  const progress = (s: string) => (a.json ? process.stderr : process.stdout).write(s + '\n');
  progress(`Running ${personas.length} front-desk caller(s) through the offline server; each is a real-time call…`);
  const env = await DemoEnvironment.start({ dataDir: join(a.dataDir, 'front-desk'), log });
  const tts = new FliteTts({ voice: 'slt', levelDbfs: null });
  try {
    return (await runDesk(env, personas, tts, loadDsp(dspOptionsFromEnv()), a, progress)) > 0 ? 1 : 0;
  } finally {
    await tts.close();
    await env.close();
  }
}

/** Each front-desk persona, one call after another; prints their answers and verdicts; the number that failed. */
async function runDesk(
  env: DemoEnvironment,
  personas: readonly DeskPersona[],
  tts: FliteTts,
  dsp: ReturnType<typeof loadDsp>,
  a: ScenarioCommandArgs,
  progress: (s: string) => void,
): Promise<number> {
  const outcomes: DeskOutcome[] = [];
  for (const [i, p] of personas.entries()) {
    const o = await runDeskPersona(env, p, { tts, dsp });
    outcomes.push(o);
    progress(`[front desk ${i + 1}/${personas.length}] ${p.name}: ${o.failures.length === 0 ? 'ok' : 'FAIL'}`);
  }
  if (a.json)
    process.stdout.write(
      JSON.stringify({ frontDesk: outcomes.map((o) => ({ ...o, persona: o.persona.name })) }) + '\n',
    );
  else process.stdout.write('\n' + formatDeskResults(outcomes) + '\n');
  return outcomes.filter((o) => o.failures.length > 0).length;
}

/**
 * Servers with a scenario's own settings (a short HOLD_MAX_MS, VOICEMAIL_ACTION=hangup): one at a time, each with
 * its own database beside the suite's, the previous one closed when another is needed.
 */
class ServerSettings {
  #current: { key: string; env: DemoEnvironment } | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly inspect: ((e: InspectionEvent) => void) | undefined,
  ) {}

  async for(settings: Readonly<Record<string, string>>): Promise<DemoEnvironment> {
    const key = JSON.stringify(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));
    if (this.#current?.key === key) return this.#current.env;
    await this.close();
    const dir = join(this.dataDir, `settings-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`);
    const env = await DemoEnvironment.start({ dataDir: dir, log: this.log, env: settings, inspect: this.inspect });
    this.#current = { key, env };
    return env;
  }

  async close(): Promise<void> {
    const c = this.#current;
    this.#current = undefined;
    if (c) await c.env.close();
  }
}
