import { parseArgs } from 'node:util';
import { AppError } from '../../errors.js';
import { parseLogLevel } from '../args.js';

const USAGE = `usage: gym-agent scenarios [--only NAME,NAME] [--subset fast] [--flows | --noisy | --heldout | --front-desk]
                          [--echo MS:DB] [--trace FILE] [--json]
                          [--data-dir DIR] [--log-level L]

Calls every persona in scenarios/ and scenarios/flows/ (one after another, against one offline server with the
embedded database), prints a table (facts correct, response-gap median, barge-ins, false barge-ins, goodbye
completed, repeated questions, greetings, end reason; for phone lines also the stored outcome, the keys the gym's
line heard, time on hold and when a person first spoke) and checks the expectations. Exit code 1 when a check fails.

  --flows   only the phone lines of scenarios/flows/ (phone trees, hold, voicemail, screening, transfers, refusals,
            callbacks, wrong numbers; issue 16).
  --noisy   the personas of scenarios/noisy/ instead: calls over generated music, singing, chatter and street
            noise (docs/architecture.md). Not part of the default suite until the agent handles noisy lines.
  --heldout the personas of scenarios/heldout/: hours, prices and classes said the way other people say them,
            in their own words (docs/benchmarks/asr-noise.md). Not part of the default suite.
  --front-desk  only the callers of scenarios/front-desk/ (they also run after the default suite): a number set
            to front-desk for a gym with stored facts; each answer checked against the facts, unknowns said unknown,
            invented facts counted, the message and the transfer recorded (docs/front-desk.md).
  --echo MS:DB  the agent's own voice comes back on every gym's line MS milliseconds late and DB dB quieter (a
            speakerphone's echo, e.g. 250:15); it must never interrupt the agent.
  --trace FILE  every call machine's events and state changes into FILE as JSON lines (what the recogniser sent,
            the caller's voice evidence, which state answered): for taking a failed persona apart. It holds what
            the simulated callers were heard to say.`;

export async function run(args: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args,
      options: {
        only: { type: 'string' },
        subset: { type: 'string' },
        noisy: { type: 'boolean', default: false },
        flows: { type: 'boolean', default: false },
        heldout: { type: 'boolean', default: false },
        'front-desk': { type: 'boolean', default: false },
        echo: { type: 'string' },
        trace: { type: 'string' },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string', default: './data/scenarios' },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    process.stderr.write(`gym-agent scenarios: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (v.subset !== undefined && v.subset !== 'fast') throw new AppError('BAD_ARGUMENT', '--subset must be "fast"');
  if ([v.flows, v.noisy, v.heldout, v['front-desk']].filter(Boolean).length > 1)
    throw new AppError(
      'BAD_ARGUMENT',
      '--flows, --noisy, --heldout and --front-desk choose different folders: give one',
    );
  const logLevel = parseLogLevel(v['log-level']);
  const echo = v.echo === undefined ? undefined : parseEcho(v.echo);
  const { runScenarioCommand } = await import('../../demo/scenarios-run.js');
  return runScenarioCommand({
    only: v.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    fastSubset: v.subset === 'fast',
    noisy: v.noisy,
    flows: v.flows,
    heldout: v.heldout,
    frontDesk: v['front-desk'],
    echo,
    trace: v.trace,
    json: v.json,
    dataDir: v['data-dir'],
    logLevel,
  });
}

/** `--echo 250:15`: delay 0..1000 ms, loss 0..60 dB. */
function parseEcho(v: string): { delayMs: number; lossDb: number } {
  const m = /^(\d{1,4}):(\d{1,2}(?:\.\d+)?)$/.exec(v);
  const delayMs = Number(m?.[1]);
  const lossDb = Number(m?.[2]);
  if (m === null || delayMs > 1000 || lossDb > 60)
    throw new AppError('BAD_ARGUMENT', `--echo must be MS:DB with MS 0..1000 and DB 0..60 (e.g. 250:15), not "${v}"`);
  return { delayMs, lossDb };
}
