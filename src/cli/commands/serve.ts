import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../log.js';

const USAGE = `usage: gym-agent serve

Runs the server with the configuration from the environment: every variable, its default and what it means is
in .env.example at the root of the source tree (not in the container image); 'gym-agent doctor' checks a
configuration without starting the server.
With no keys at all it runs offline on this machine. The start-up line gives the /review URL.
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
