import type { IvrStep } from '../../../machines/outcomes.js';
import type { Queryable } from '../sql.js';

// The phone-tree key path that last reached a person, per gym number. Replicas may save at once (two calls to the
// same gym ending together): one statement decides (the row lock orders them), and the newest success wins whatever
// order the writes arrive in; every success of the stored path counts, even one that arrives late, and a newer
// different path starts again at 1.

const KEYS = /^[0-9*#]{1,12}$/;
const MAX_STEPS = 10;

export interface IvrPathRow {
  phone: string;
  steps: IvrStep[];
  path: string;
  successes: number;
  last_success_at: Date;
  last_call_id: string | null;
}

/** Checked before it is stored: keys a phone can send, a fingerprint of sane length, at most ten levels. */
export function validIvrSteps(steps: readonly IvrStep[]): boolean {
  return (
    steps.length >= 1 &&
    steps.length <= MAX_STEPS &&
    steps.every((s) => KEYS.test(s.digits) && typeof s.fingerprint === 'string' && s.fingerprint.length <= 500)
  );
}

export async function saveIvrPath(
  db: Queryable,
  phone: string,
  steps: readonly IvrStep[],
  at: Date,
  callId: string | null,
): Promise<void> {
  const clean = steps.map((s) => ({ digits: s.digits, fingerprint: s.fingerprint }));
  await db.query(
    `INSERT INTO ivr_paths (phone, steps, path, successes, last_success_at, last_call_id)
     VALUES ($1, $2::jsonb, $3, 1, $4, $5)
     ON CONFLICT (phone) DO UPDATE SET
       successes = CASE
         WHEN ivr_paths.path = EXCLUDED.path THEN ivr_paths.successes + 1
         WHEN ivr_paths.last_success_at <= EXCLUDED.last_success_at THEN 1
         ELSE ivr_paths.successes END,
       steps = CASE WHEN ivr_paths.last_success_at <= EXCLUDED.last_success_at
                    THEN EXCLUDED.steps ELSE ivr_paths.steps END,
       path = CASE WHEN ivr_paths.last_success_at <= EXCLUDED.last_success_at
                   THEN EXCLUDED.path ELSE ivr_paths.path END,
       last_call_id = CASE WHEN ivr_paths.last_success_at <= EXCLUDED.last_success_at
                           THEN EXCLUDED.last_call_id ELSE ivr_paths.last_call_id END,
       last_success_at = GREATEST(ivr_paths.last_success_at, EXCLUDED.last_success_at)`,
    [phone, JSON.stringify(clean), clean.map((s) => s.digits).join('>'), at, callId],
  );
}

export async function getIvrPath(db: Queryable, phone: string): Promise<IvrPathRow | undefined> {
  const r = await db.query<IvrPathRow>(
    'SELECT phone, steps, path, successes, last_success_at, last_call_id FROM ivr_paths WHERE phone = $1',
    [phone],
  );
  return r.rows[0];
}
