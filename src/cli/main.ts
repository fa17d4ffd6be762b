#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError, isAppError } from '../errors.js';

// Subcommands live in ./commands/<name>.js and export `run(args: string[]): Promise<number>` and
// `summary`. Loading them lazily keeps start-up cheap and lets each concern own its command file.
export const COMMANDS = ['dsp', 'call', 'migrate', 'export', 'demo', 'doctor', 'serve', 'scenarios'] as const;

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

function usage(): string {
  return `usage: gym-agent <command> [args]\ncommands: ${COMMANDS.join(', ')}\nrun 'gym-agent <command> --help' for details`;
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
