import { checkConfig } from '../../ops/doctor/config-checks.js';
import { checkProviderKeys, checkPublicUrl } from '../../ops/doctor/online-checks.js';
import { checkAudio, checkDatabase, checkDisk, checkDsp, loadDspForDoctor } from '../../ops/doctor/runtime-checks.js';
import type { Fetch, Finding, Section } from '../../ops/doctor/types.js';
import type { Config } from '../../config/index.js';
import { checkVoices, readOwnedVoices, type InvalidVoice, type OwnedVoice } from '../../voices/doctor.js';

// `gym-agent doctor`: one command that tells an operator what is wrong with this installation, replacing the
// original debug_tts.sh / deep_debug.sh. Exit 0 = no problem (warnings allowed), 1 = at least one problem,
// 2 = bad arguments. Inside the pod: kubectl -n gym-agent exec deploy/gym-agent -- gym-agent doctor

const USAGE = `usage: gym-agent doctor [--offline] [--json] [--verbose] [--timeout MS]
  --offline   do not contact any provider or the public URL (cloud checks are reported as skipped)
  --json      print the findings as one JSON object
  --verbose   list every configuration variable, not only those with a problem
  --timeout   per-request timeout for the online checks (default 5000)`;

export interface DoctorOptions {
  env: Record<string, string | undefined>;
  offline: boolean;
  json: boolean;
  verbose: boolean;
  timeoutMs: number;
  fetch: Fetch;
  out: (s: string) => void;
  /** The gyms', campaigns' and flow variants' voices; default: read from the database and FLOWS. */
  voices?: (config: Config, timeoutMs: number) => Promise<(OwnedVoice | InvalidVoice)[] | { unavailable: string }>;
}

const SECTIONS: Record<Section, string> = {
  config: 'Configuration',
  providers: 'Provider keys',
  voices: 'Voices (configured, brand, flow variants)',
  audio: 'TTS output format',
  dsp: 'DSP addon',
  database: 'Database',
  'public-url': 'Public URL (what Twilio must reach)',
};
const MARK = { ok: 'ok  ', warn: 'WARN', problem: 'FAIL', skipped: 'skip' } as const;

export async function doctor(o: DoctorOptions): Promise<{ code: number; findings: Finding[] }> {
  const { findings, config } = checkConfig(o.env);
  if (config) {
    const online = { offline: o.offline, fetch: o.fetch, timeoutMs: o.timeoutMs };
    const dspLoad = await loadDspForDoctor();
    const [keys, db, disk, pub] = await Promise.all([
      checkProviderKeys(config, online),
      checkDatabase(config, { fetch: o.fetch as typeof fetch, timeoutMs: o.timeoutMs }),
      checkDisk(config.DATA_DIR),
      checkPublicUrl(config, online),
    ]);
    // After the database check: both may open the embedded database, which one process at a time may hold.
    const voices = await (o.voices ?? readOwnedVoices)(config, o.timeoutMs);
    const voiced = await checkVoices(config, { offline: o.offline, timeoutMs: o.timeoutMs, voices });
    findings.push(
      ...keys,
      ...voiced,
      ...checkAudio(config, dspLoad.dsp),
      ...checkDsp(dspLoad, config.DSP_FORCE_SCALAR),
      ...db,
      disk,
      ...pub,
    );
  } else {
    findings.push({
      section: 'providers',
      name: 'all',
      status: 'skipped',
      detail: 'configuration invalid: fix the variables above first',
    });
  }
  const problems = findings.filter((f) => f.status === 'problem').length;
  const warnings = findings.filter((f) => f.status === 'warn').length;
  const code = problems > 0 ? 1 : 0;
  if (o.json) {
    o.out(JSON.stringify({ ok: code === 0, problems, warnings, offline: o.offline, findings }) + '\n');
  } else {
    o.out(
      render(findings, o.verbose, o.offline) +
        `\n${problems} problem(s), ${warnings} warning(s)${code === 0 ? ': healthy' : ''}\n`,
    );
  }
  return { code, findings };
}

function render(findings: Finding[], verbose: boolean, offline: boolean): string {
  const lines: string[] = [`gym-agent doctor${offline ? ' (offline: cloud checks skipped)' : ''}`];
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const all = findings.filter((f) => f.section === section);
    if (all.length === 0) continue;
    lines.push('', SECTIONS[section]);
    const shown = section === 'config' && !verbose ? all.filter((f) => f.status !== 'ok') : all;
    if (section === 'config')
      lines.push(
        `  ${all.filter((f) => f.status === 'ok').length} variables valid${verbose ? '' : ' (--verbose lists them)'}`,
      );
    for (const f of shown) lines.push(`  [${MARK[f.status]}] ${f.name}: ${f.detail}`);
  }
  return lines.join('\n');
}

export async function run(args: string[]): Promise<number> {
  const o: DoctorOptions = {
    env: process.env,
    offline: false,
    json: false,
    verbose: false,
    timeoutMs: 5000,
    fetch: (url, init) => fetch(url, init),
    out: (s) => void process.stdout.write(s),
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a === '--offline') o.offline = true;
    else if (a === '--json') o.json = true;
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--timeout') {
      const ms = Number(args[++i]);
      if (!Number.isInteger(ms) || ms < 100 || ms > 120_000) {
        process.stderr.write('gym-agent doctor: --timeout takes milliseconds between 100 and 120000\n');
        return 2;
      }
      o.timeoutMs = ms;
    } else {
      process.stderr.write(`gym-agent doctor: unknown argument '${a ?? ''}'\n${USAGE}\n`);
      return 2;
    }
  }
  return (await doctor(o)).code;
}
