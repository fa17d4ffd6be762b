import { parseArgs } from 'node:util';
import { AppError } from '../../errors.js';
import { BACKGROUND_KINDS, DEFAULT_SNR_DB, type BackgroundSpec } from '../../sim/noise/index.js';
import { parseLogLevel } from '../args.js';

const USAGE = `usage: gym-agent demo [--persona FILE.json] [--background KIND [--snr-db N] [--seed N]] [--json] [--fast]
                     [--record FILE.wav] [--data-dir DIR]
       gym-agent demo --campaign N [--seed S] [--concurrency C] [--json] [--data-dir DIR]

Starts the server with the offline providers and the embedded database, places a simulated call through the
fake Twilio REST API (as POST /v1/calls would) to a simulated receptionist who only hears the agent's audio,
shows the conversation live, then the facts as read back from the database.

  --persona FILE   persona JSON (default: scenarios/cooperative.json; schema in docs/architecture.md)
  --background K   noise around the receptionist's phone, made by code: ${BACKGROUND_KINDS.join(', ')}
                   (replaces the persona's own background)
  --snr-db N       her speech level over the background's, in dB (default ${DEFAULT_SNR_DB})
  --seed N         which bed of that kind (default 1); the same seed is the same sound
  --json           print exactly one JSON object on stdout (logs go to stderr)
  --fast           the receptionist reacts sooner (the server's audio stays real time)
  --record FILE    write both legs as a stereo WAV (left: gym, right: agent)
  --data-dir DIR   where the embedded database lives (default ./data/demo, apart from the app's ./data; the
                   closing lines print the commands that show the call there)
  --log-level L    server log level on stderr (default warn)

  --campaign N     a whole campaign instead: N simulated gyms (1-500; the same N gyms for the same --seed, default
                   1) with mixed behaviours in US, UK and Australian time zones, called by the campaign engine on a
                   clock that runs fast and jumps over the time nobody is on the line; ends with every gym's outcome,
                   attempts, facts and cost (--json: one JSON document with every attempt's UTC and local time and
                   window)
  --concurrency C  calls of the campaign at once (default 3; every call is real-time audio on this machine)`;

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
        background: { type: 'string' },
        'snr-db': { type: 'string' },
        seed: { type: 'string' },
        'data-dir': { type: 'string' },
        campaign: { type: 'string' },
        concurrency: { type: 'string' },
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
  if (v.campaign !== undefined) {
    if (v.persona !== undefined || v.background !== undefined || v.record !== undefined || v.fast)
      throw new AppError(
        'BAD_ARGUMENT',
        '--campaign runs its own gyms: no --persona, --background, --record or --fast',
      );
    const { runCampaignCommand } = await import('../../demo/campaign/command.js');
    return runCampaignCommand(
      { gyms: v.campaign, seed: v.seed, concurrency: v.concurrency, json: v.json, dataDir: v['data-dir'], logLevel },
      process.stdout,
    );
  }
  if (v.concurrency !== undefined) throw new AppError('BAD_ARGUMENT', '--concurrency needs --campaign');
  if (v.record !== undefined && !v.record.toLowerCase().endsWith('.wav'))
    throw new AppError('BAD_ARGUMENT', '--record needs a file name ending in .wav');
  const background = parseBackground(v.background, v['snr-db'], v.seed);
  const { runDemo } = await import('../../demo/run.js');
  return runDemo(
    {
      persona: v.persona,
      json: v.json,
      fast: v.fast,
      record: v.record,
      background,
      dataDir: v['data-dir'] ?? './data/demo',
      logLevel,
    },
    process.stdout,
  );
}

function parseBackground(
  kind: string | undefined,
  snrDb: string | undefined,
  seed: string | undefined,
): BackgroundSpec | undefined {
  if (kind === undefined) {
    if (snrDb !== undefined || seed !== undefined)
      throw new AppError('BAD_ARGUMENT', '--snr-db and --seed need --background');
    return undefined;
  }
  if (!(BACKGROUND_KINDS as readonly string[]).includes(kind))
    throw new AppError('BAD_ARGUMENT', `--background must be one of ${BACKGROUND_KINDS.join(', ')}`);
  const snr = snrDb === undefined ? DEFAULT_SNR_DB : Number(snrDb);
  if (snrDb !== undefined && (snrDb.trim() === '' || !Number.isFinite(snr) || snr < -10 || snr > 60))
    throw new AppError('BAD_ARGUMENT', '--snr-db must be a number from -10 to 60');
  const n = seed === undefined ? undefined : Number(seed);
  if (n !== undefined && (!/^\d+$/.test(seed ?? '') || n > 0xffff_ffff))
    throw new AppError('BAD_ARGUMENT', '--seed must be a whole number from 0 to 4294967295');
  return { kind: kind as BackgroundSpec['kind'], snrDb: snr, seed: n };
}
