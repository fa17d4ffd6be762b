import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { runCampaignDemo } from './run.js';
import { printCampaignTable } from './report.js';

// `gym-agent demo --campaign N`: checks its arguments, gives the campaign an empty database of its own (a campaign
// name and its gyms are unique per database, and a demo must not mix with earlier runs), runs it, prints the table
// or the JSON document.

export interface CampaignCommandArgs {
  readonly gyms: string;
  readonly seed: string | undefined;
  readonly concurrency: string | undefined;
  readonly json: boolean;
  readonly dataDir: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new AppError('BAD_ARGUMENT', `${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

/** An empty directory: the one given (it must be empty or new), else a new one under ./data. */
async function freshDataDir(given: string | undefined): Promise<string> {
  if (given === undefined) {
    await mkdir('./data', { recursive: true });
    return mkdtemp(join('./data', 'demo-campaign-'));
  }
  await mkdir(given, { recursive: true });
  if ((await readdir(given)).length > 0)
    throw new AppError('BAD_ARGUMENT', `--data-dir ${given} is not empty: a campaign demo needs a database of its own`);
  return given;
}

export async function runCampaignCommand(
  a: CampaignCommandArgs,
  out: NodeJS.WritableStream & { isTTY?: boolean },
): Promise<number> {
  const gyms = wholeNumber('--campaign', a.gyms, 1, 500);
  const seed = a.seed === undefined ? 1 : wholeNumber('--seed', a.seed, 0, 0xffff_ffff);
  const concurrency = a.concurrency === undefined ? 3 : wholeNumber('--concurrency', a.concurrency, 1, 20);
  const dataDir = await freshDataDir(a.dataDir);
  const log = createLogger(a.logLevel);
  const say = (s: string) => (a.json ? undefined : out.write(s + '\n'));
  say(`Campaign demo: ${gyms} simulated gyms (seed ${seed}), ${concurrency} calls at once; database in ${dataDir}`);
  say('Every call is real-time audio; the clock runs 30 times as fast and jumps over the hours nobody is on the line.');
  const report = await runCampaignDemo({
    gyms,
    seed,
    concurrency,
    dataDir,
    log,
    ...(a.json ? {} : { progress: say }),
  });
  if (a.json) out.write(JSON.stringify(report) + '\n');
  else printCampaignTable(out, report);
  const unfinished = report.gyms.filter((g) => !g.final).length;
  return report.status === 'done' && unfinished === 0 && report.overlaps.length === 0 ? 0 : 1;
}
