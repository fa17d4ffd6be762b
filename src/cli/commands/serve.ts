import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../log.js';

export const summary = 'run the server (same as npm start): webhooks, media streams, API, review page, metrics';

const USAGE = `usage: gym-agent serve

Runs the server with the configuration from the environment (see docs/architecture.md and .env.example).
SIGTERM or Ctrl-C drain: no new calls, live calls finish (up to SHUTDOWN_GRACE_MS), then exit 0.`;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`gym-agent serve: unexpected arguments: ${args.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const log = createLogger(config.LOG_LEVEL);
  const { startServer } = await import('../../main.js');
  await startServer(config, { log, installSignalHandlers: true });
  // The server keeps the process alive; the drain started by a signal exits it.
  return 0;
}
