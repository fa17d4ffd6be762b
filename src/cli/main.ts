#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError, isAppError } from '../errors.js';

// Subcommands live in ./commands/<name>.js and export `run(args: string[]): Promise<number>`. Loading them
// lazily keeps start-up cheap and lets each concern own its command file; their one-line summaries live here, so
// `gym-agent --help` can list what each does without loading every command (seconds on a Raspberry Pi).
export const COMMAND_SUMMARIES = {
  serve: 'run the server (same as npm start): webhooks, media streams, API, /review page, metrics',
  call: 'place an outbound call to a gym through the running server (POST /v1/calls)',
  demo: 'one complete offline phone call to a simulated gym receptionist, shown live',
  scenarios: 'run every persona in scenarios/ through the real server and check the results',
  export: 'export transcripts and facts as CSV or JSON',
  migrate: 'apply database migrations (or show their status with --status)',
  doctor: 'check configuration, provider keys, audio format, database, DSP kernels and the public URL',
  dsp: 'resample / μ-law encode / decode raw audio from stdin to stdout with the native DSP addon',
  gyms: 'import a list of gyms (CSV or JSON), list them, show one with its facts and their freshness',
  suppressions: 'the do-not-call list: list, add, remove, import numbers that are never dialled',
  campaign: 'create a campaign over a list of gyms, list campaigns, show progress and outcomes, pause/resume/cancel',
  numbers:
    'our Twilio numbers: which gym each answers for, interview or front-desk mode, the staff number; the messages left',
  flows: 'compare the variants of A/B tested conversation flows (FLOWS): the table, intervals, tests and a verdict',
} as const;
export const COMMANDS = Object.keys(COMMAND_SUMMARIES) as (keyof typeof COMMAND_SUMMARIES)[];

export interface Command {
  run(args: string[]): Promise<number>;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.length));
  const lines = COMMANDS.map((c) => `  ${c.padEnd(width)}  ${COMMAND_SUMMARIES[c]}`);
  return [
    'usage: gym-agent <command> [args]',
    '',
    'commands:',
    ...lines,
    '',
    "run 'gym-agent <command> --help' for a command's options",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (!(COMMANDS as readonly string[]).includes(name)) {
    process.stderr.write(`gym-agent: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  let mod: Command;
  try {
    mod = (await import(`./commands/${name}.js`)) as Command;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write(`gym-agent: command '${name}' is not available in this build\n`);
      return 2;
    }
    throw e;
  }
  return mod.run(rest);
}

// Compare real paths: npm installs the `gym-agent` bin as a symlink, and a plain URL comparison would make the
// CLI silently do nothing when started through it.
function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const msg = isAppError(e)
        ? `${e.code}: ${e.message}`
        : e instanceof AppError
          ? e.message
          : String((e as Error)?.stack ?? e);
      process.stderr.write(`gym-agent: ${msg}\n`);
      process.exitCode = 1;
    },
  );
}
