import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packageRoot } from '../dsp/index.js';
import { dspOptionsFromEnv } from '../config/index.js';
import { loadDsp } from '../dsp/index.js';
import { createLogger } from '../log.js';
import { FliteTts } from '../providers/tts/flite.js';
import { runPersonaCall, type PersonaCallOutcome } from './call.js';
import { offlineEars } from './ears.js';
import { DemoEnvironment } from './environment.js';
import { loadPersona } from './persona.js';
import type { BackgroundSpec } from '../sim/noise/index.js';
import { LiveView } from './view.js';
import { SpelledLine } from './spelled-line.js';
import { speaksSpelled } from './scenarios.js';

// `gym-agent demo`: one complete offline phone call, watched live, then the facts as read back from the database.

export interface DemoArgs {
  persona: string | undefined;
  json: boolean;
  fast: boolean;
  record: string | undefined;
  /** Noise around the receptionist's phone instead of the persona's own. */
  background?: BackgroundSpec | undefined;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export function defaultPersonaPath(): string {
  return join(packageRoot(), 'scenarios', 'cooperative.json');
}

/** Settings that make a call quicker without changing the agent: the receptionist reacts sooner. */
export const FAST = { agentQuietMs: 800 };

export async function runDemo(a: DemoArgs, out: NodeJS.WritableStream & { isTTY?: boolean }): Promise<number> {
  const persona = await loadPersona(a.persona ?? defaultPersonaPath());
  const log = createLogger(a.logLevel);
  const view = a.json ? undefined : new LiveView({ out });
  view?.info(`Starting the server (offline providers, embedded database in ${a.dataDir}) and a simulated Twilio…`);
  const dsp = loadDsp(dspOptionsFromEnv());
  // A persona speaking Spanish: her call runs on a server of its own, with spelled speech (spelled-line.ts).
  const spelled = speaksSpelled(persona)
    ? new SpelledLine(a.dataDir, dsp, log, { record: a.record !== undefined })
    : undefined;
  const party = await spelled?.party();
  const env = party?.env ?? (await DemoEnvironment.start({ dataDir: a.dataDir, log, record: a.record !== undefined }));
  view?.recogniserReportsConfidence(env.server.providers.asr.capabilities.confidence);
  // The receptionist keeps flite's own level: the scenario suite's recognition figures were measured with it.
  const flite = party === undefined ? new FliteTts({ voice: persona.voice, levelDbfs: null }) : undefined;
  const tts = party?.tts ?? (flite as FliteTts);
  let outcome: PersonaCallOutcome;
  try {
    view?.info(`Calling "${persona.gym.name}" (persona: ${persona.name}) through POST /v1/calls…`);
    view?.info(
      '"agent" lines: what the agent said; "gym" lines: what the agent recognised of the receptionist. Dimmed: the ' +
        "simulated receptionist's side (her script, and what her own recogniser made of the agent's audio).",
    );
    outcome = await runPersonaCall({
      env,
      persona,
      tts,
      dsp,
      ears: party?.ears ?? (() => offlineEars(dsp)),
      keyDetector: () => dsp.createToneDetector({ dtmf: true, beep: false }),
      ...(a.background ? { background: a.background } : {}),
      ...(a.fast ? FAST : {}),
      ...(view ? { watch: view } : {}),
      timeoutMs: env.server.config.MAX_CALL_MS + 60_000,
    });
  } finally {
    view?.stop();
    if (spelled) await spelled.close();
    else {
      await flite?.close();
      await env.close();
    }
  }
  if (a.record !== undefined && outcome.wav) await writeFile(a.record, outcome.wav);
  if (a.json) {
    out.write(JSON.stringify(outcome.json) + '\n');
  } else {
    printSummary(out, outcome, a.record, spelled?.dataDir ?? a.dataDir);
  }
  return outcome.result.endReason === 'error' ? 1 : 0;
}

/** A path as one shell word, so the printed commands can be pasted as they are. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

/**
 * The demo keeps its calls in a folder of their own (not with real calls in ./data); the app, the CLI and /review
 * read DATA_DIR, so the commands that show the call name it.
 */
export function whereToSee(dataDir: string, callId: string): string[] {
  const dir = shellWord(resolve(dataDir));
  const review = `http://127.0.0.1:8080/review/calls/${encodeURIComponent(callId)}`;
  return [
    '  see this call:',
    `    DATA_DIR=${dir} npm run -s cli -- export --format json`,
    `    DATA_DIR=${dir} npm start    # then open ${review} (PORT 8080 unless set)`,
  ];
}

function printSummary(
  out: NodeJS.WritableStream,
  o: PersonaCallOutcome,
  record: string | undefined,
  dataDir: string,
): void {
  const j = o.json;
  const w = (s = '') => out.write(s + '\n');
  w();
  w(`Call ${j.callId} ended: ${j.metrics.endReason} after ${(j.metrics.durationMs / 1000).toFixed(1)} s`);
  w();
  w('Facts, as read back from the database:');
  const days = Object.entries(j.facts.hours);
  w(`  hours:   ${days.length === 0 ? '(none)' : ''}`);
  for (const [d, h] of days)
    w(`    ${d}  ${'closed' in h ? 'closed' : 'open24h' in h ? 'open 24 hours' : `${h.opens}–${h.closes}`}`);
  w(`  pricing: ${j.facts.pricing.length === 0 ? '(none)' : ''}`);
  for (const p of j.facts.pricing) w(`    ${p.plan}: ${p.amount} ${p.currency} per ${p.period}`);
  w(`  classes: ${j.facts.classes.length === 0 ? '(none)' : j.facts.classes.join(', ')}`);
  w();
  w(`Stored in: ${o.where.database}`);
  w(`  tables ${o.where.tables.join(', ')}; call id ${o.where.callId}`);
  for (const line of whereToSee(dataDir, o.where.callId)) w(line);
  w();
  const gaps = j.metrics.responseGapsMs;
  const med = gaps.length === 0 ? undefined : [...gaps].sort((a, b) => a - b)[Math.floor((gaps.length - 1) / 2)];
  w(
    `Turn-taking: response gap median ${med === undefined ? 'n/a' : `${med} ms`} over ${gaps.length} turns; ` +
      `barge-ins ${j.metrics.bargeIns} (false ${j.metrics.falseBargeIns}); greetings ${j.metrics.greetings}; ` +
      `repeated questions ${j.metrics.repeatedQuestions}; goodbye completed ${String(j.metrics.goodbyeCompleted)}`,
  );
  if (record) w(`Recording (left: gym, right: agent): ${record}`);
}
