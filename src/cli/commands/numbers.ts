import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { openDatabase } from '../../db/pool.js';
import {
  e164,
  listMessages,
  listNumbers,
  NUMBER_MODES,
  ourNumber,
  removeNumber,
  setNumber,
  type NumberMode,
} from '../../frontdesk/store.js';
import { createLogger } from '../../log.js';

const USAGE = `usage: gym-agent numbers list [--json]
       gym-agent numbers set NUMBER --gym ID --mode interview|front-desk [--staff NUMBER]
       gym-agent numbers remove NUMBER
       gym-agent numbers messages [--gym ID] [--limit N] [--json]
  Our Twilio numbers and what a call to each does: 'interview' (a gym calls in with its facts) or 'front-desk' (the
  gym's own callers get answers from its stored facts, leave a message, or are put through to --staff).
  NUMBER in E.164 (+15551230000). messages: what front-desk callers left, newest first.
Uses DATABASE_URL, or the embedded database under DATA_DIR (also while the app is running on it).`;

function fail(msg: string): number {
  process.stderr.write(`gym-agent numbers: ${msg}\n${USAGE}\n`);
  return 2;
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        gym: { type: 'string' },
        mode: { type: 'string' },
        staff: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [action, arg] = positionals;
  if (!['list', 'set', 'remove', 'messages'].includes(action ?? ''))
    return fail(action === undefined ? 'which action?' : `unknown action '${action}'`);
  const number = ourNumber(arg);
  if ((action === 'set' || action === 'remove') && number === undefined)
    return fail(`${action} needs a NUMBER in E.164 such as +15551230000`);
  const gym = values.gym === undefined ? undefined : Number(values.gym);
  if (gym !== undefined && (!Number.isSafeInteger(gym) || gym < 1)) return fail('--gym must be a gym id');
  const limit = Number(values.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return fail('--limit must be an integer from 1 to 1000');
  let staff: string | null = null;
  if (action === 'set') {
    if (gym === undefined) return fail('set needs --gym ID');
    if (!(NUMBER_MODES as readonly string[]).includes(values.mode ?? ''))
      return fail(`--mode must be ${NUMBER_MODES.join(' or ')}`);
    if (values.staff !== undefined) {
      staff = e164(values.staff) ?? null;
      if (staff === null) return fail(`--staff "${values.staff}" is not a valid number`);
      if (staff === number) return fail('--staff must not be the number itself');
    }
  }

  const cfg = loadConfig(process.env);
  const db = await openDatabase(cfg, { log: createLogger(cfg.LOG_LEVEL), attachToRunning: true });
  try {
    if (action === 'set') {
      const r = await setNumber(db.pool, number as string, {
        gymId: gym as number,
        mode: values.mode as NumberMode,
        staffNumber: staff,
      });
      if (!r.ok) {
        process.stderr.write(`gym-agent numbers: ${r.problem}\n`);
        return 1;
      }
      process.stdout.write(`${r.number.number} ${r.created ? 'added' : 'changed'}: ${describe(r.number)}\n`);
      return 0;
    }
    if (action === 'remove') {
      const removed = await removeNumber(db.pool, number as string);
      process.stdout.write(`${number} ${removed ? 'removed' : 'is not listed'}\n`);
      return removed ? 0 : 1;
    }
    if (action === 'messages') {
      const { total, messages } = await listMessages(db.pool, { limit, offset: 0, gymId: gym });
      if (values.json) process.stdout.write(JSON.stringify({ total, messages }, null, 2) + '\n');
      else {
        for (const m of messages)
          process.stdout.write(
            `${m.taken_at}  ${m.gym_name ?? '?'}: ${m.name}, ${m.callback_number}: ${m.reason} (call ${m.call_id})\n`,
          );
        process.stderr.write(`${messages.length} of ${total} message(s)\n`);
      }
      return 0;
    }
    const { total, numbers } = await listNumbers(db.pool, { limit, offset: 0 });
    if (values.json) process.stdout.write(JSON.stringify({ total, numbers }, null, 2) + '\n');
    else {
      for (const n of numbers) process.stdout.write(`${n.number.padEnd(16)} ${describe(n)}\n`);
      process.stderr.write(`${numbers.length} of ${total} number(s)\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

function describe(n: { mode: string; gym_id: number; gym_name: string; staff_number: string | null }): string {
  const staff = n.mode === 'front-desk' ? `, staff ${n.staff_number ?? 'none (messages only)'}` : '';
  return `${n.mode} for gym ${n.gym_id} (${n.gym_name})${staff}`;
}
