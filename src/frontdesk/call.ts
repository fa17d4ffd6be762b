import type { Queryable } from '../db/sql.js';
import type { Logger } from '../log.js';
import { loadKnowledge } from './knowledge.js';
import { FrontDeskLlm } from './provider.js';
import type { DeskBrain } from './receptionist.js';
import { getNumber } from './store.js';
import { transferActor, type TransferPort } from './transfer.js';
import type { GuardProblem } from './guard.js';

// What one front-desk call needs besides the interview's parts: the gym's knowledge and the number's staff number,
// read once as the call starts (the receptionist's first answer waits for them, the greeting does not), the desk's
// conversation behind the guard, and the transfer actor.

export interface DeskDeps {
  /** Where the gym's facts and the number's settings are read; none: the desk knows nothing (says so). */
  readonly db?: Queryable | undefined;
  /** The offline receptionist, or the OpenAI desk when OpenAI is the conversation provider. */
  readonly brain: DeskBrain;
  /** FACTS_MAX_AGE_DAYS. */
  readonly maxAgeDays: number;
  /** CALL_DEFAULT_TIMEZONE. */
  readonly defaultTimeZone: string;
  /** Twilio REST (redirects); undefined without a Twilio account. */
  readonly rest?: TransferPort | undefined;
  readonly now?: (() => Date) | undefined;
  /** A sentence the guard stopped (metrics). */
  readonly onBlocked?: ((problems: GuardProblem[]) => void) | undefined;
}

export interface DeskCall {
  readonly llm: FrontDeskLlm;
  readonly transfer: ReturnType<typeof transferActor>;
}

/** `number`: ours, the one called (its staff number); `gymId`: the gym it answers for. */
export function openDeskCall(
  deps: DeskDeps,
  call: { gymId: number | undefined; number: string | undefined; callSid: string },
  log: Logger,
): DeskCall {
  const now = deps.now?.() ?? new Date();
  const db = deps.db;
  const knowledge =
    call.gymId === undefined || db === undefined
      ? Promise.resolve(undefined)
      : loadKnowledge(db, call.gymId, { now, maxAgeDays: deps.maxAgeDays, defaultTimeZone: deps.defaultTimeZone });
  const settings =
    call.number === undefined || db === undefined ? Promise.resolve(undefined) : getNumber(db, call.number);
  // Read failures are logged once here; the desk then knows nothing and puts nobody through, and says so.
  knowledge.catch((e: unknown) => log.warn({ err: (e as Error).message }, 'front desk: facts could not be read'));
  settings.catch((e: unknown) => log.warn({ err: (e as Error).message }, 'front desk: number could not be read'));
  const staffNumber = () => settings.then((s) => s?.staff_number ?? undefined).catch(() => undefined);
  return {
    llm: new FrontDeskLlm({
      brain: deps.brain,
      knowledge: knowledge.catch(() => undefined),
      staff: staffNumber().then((n) => n !== undefined && deps.rest !== undefined),
      log,
      onBlocked: deps.onBlocked,
    }),
    transfer: transferActor(deps.rest, call.callSid, staffNumber, log),
  };
}
