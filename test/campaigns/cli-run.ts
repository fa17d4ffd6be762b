import { run } from '../../src/cli/commands/campaign.js';

/**
 * Runs `gym-agent campaign` commands one after another on the database at `databaseUrl` (the CLI reads its
 * configuration from the environment, as it does when run), each one's stdout and stderr captured: tap reports on
 * stdout too, so the streams are back before any result is checked.
 */
export async function runCampaignCli(
  databaseUrl: string,
  commands: readonly string[][],
): Promise<{ code: number; text: string }[]> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (out.push(s), true)) as typeof process.stderr.write;
  process.env.DATABASE_URL = databaseUrl;
  const results: { code: number; text: string }[] = [];
  try {
    for (const args of commands) {
      out.length = 0;
      const code = await run(args);
      results.push({ code, text: out.join('') });
    }
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
    delete process.env.DATABASE_URL;
  }
  return results;
}
