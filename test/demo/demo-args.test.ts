import t from 'tap';
import { run } from '../../src/cli/commands/demo.js';

// `gym-agent demo --background`: a wrong kind, SNR or seed is refused with a message that says what is allowed,
// before anything starts.

t.test('bad background options are refused by name', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--background', 'disco'], /--background must be one of music, music-vocals, chatter, street, hvac/],
    [['--snr-db', '5'], /--snr-db and --seed need --background/],
    [['--background', 'music', '--snr-db', 'loud'], /--snr-db must be a number from -10 to 60/],
    [['--background', 'music', '--snr-db', '61'], /--snr-db must be a number from -10 to 60/],
    [['--background', 'music', '--seed', '1.5'], /--seed must be a whole number/],
  ];
  for (const [args, message] of cases) await t.rejects(run(args), { code: 'BAD_ARGUMENT', message }, args.join(' '));
});
