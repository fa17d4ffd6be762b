import type { Config } from '../config/index.js';
import type { Queryable } from '../db/sql.js';
import { E164 } from '../db/repositories/gyms.js';
import type { LlmProvider } from '../providers/llm/types.js';
import type { CalledNumber } from '../telephony/webhooks.js';
import { OpenAiDesk } from './openai-desk.js';
import { OfflineReceptionist, type DeskBrain } from './receptionist.js';
import { getNumber } from './store.js';
import { languageFrom } from '../language/index.js';

// The front desk's parts as the server builds them (src/main.ts).

/** The desk's brain follows the conversation provider: OpenAI's desk when the calls talk through OpenAI. */
export function deskBrain(llm: LlmProvider, cfg: Config): DeskBrain {
  if (llm.name === 'openai' && cfg.OPENAI_API_KEY !== undefined)
    return new OpenAiDesk({ apiKey: cfg.OPENAI_API_KEY, baseURL: cfg.OPENAI_BASE_URL, model: cfg.OPENAI_MODEL });
  return new OfflineReceptionist();
}

/** The voice webhook's look-up of the number called (a database failure fails the webhook: Twilio retries). */
export async function calledNumber(db: Queryable, to: string): Promise<CalledNumber | undefined> {
  if (!E164.test(to)) return undefined;
  const n = await getNumber(db, to);
  if (n === undefined) return undefined;
  // The gym's list gave a BCP 47 tag ("es-MX"): its own line speaks that language when calls are held in it.
  const g = await db.query<{ language: string | null }>('SELECT language FROM gyms WHERE id = $1', [n.gym_id]);
  const tag = g.rows[0]?.language ?? null;
  const language = tag === null ? undefined : languageFrom(tag);
  const staffNumber = n.staff_number ?? undefined;
  return { number: n.number, gymId: n.gym_id, gymName: n.gym_name, mode: n.mode, language, staffNumber };
}
