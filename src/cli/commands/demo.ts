import { parseArgs } from 'node:util';
import { AppError } from '../../errors.js';
import { parseLogLevel } from '../args.js';

export const summary = 'run one complete offline phone call against a simulated gym receptionist';

const USAGE = `usage: gym-agent demo [--persona FILE.json] [--json] [--fast] [--record FILE.wav] [--data-dir DIR]

Starts the server with the offline providers and the embedded database, places a simulated call through the
fake Twilio REST API (as POST /v1/calls would) to a simulated receptionist who only hears the agent's audio,
shows the conversation live, then the facts as read back from the database.

  --persona FILE   persona JSON (default: scenarios/cooperative.json; schema in docs/architecture.md)
  --json           print exactly one JSON object on stdout (logs go to stderr)
  --fast           the receptionist reacts sooner (the server's audio stays real time)
  --record FILE    write both legs as a stereo WAV (left: gym, right: agent)
  --data-dir DIR   where the embedded database lives (default ./data/demo)
  --log-level L    server log level on stderr (default warn)`;

export async function run(args: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args,
      options: {
        persona: { type: 'string' },
        json: { type: 'boolean', default: false },
        fast: { type: 'boolean', default: false },
        record: { type: 'string' },
        'data-dir': { type: 'string', default: './data/demo' },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`gym-agent demo: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const logLevel = parseLogLevel(v['log-level']);
  if (v.record !== undefined && !v.record.toLowerCase().endsWith('.wav'))
    throw new AppError('BAD_ARGUMENT', '--record needs a file name ending in .wav');
  const { runDemo } = await import('../../demo/run.js');
  return runDemo(
    {
      persona: v.persona,
      json: v.json,
      fast: v.fast,
      record: v.record,
      dataDir: v['data-dir'],
      logLevel,
    },
    process.stdout,
  );
}
