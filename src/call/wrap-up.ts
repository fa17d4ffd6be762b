import type { CallDirection, CallEmitted } from '../../machines/events.js';
import { isBackchannelOnly, normalize } from '../../machines/text.js';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import { emptyFacts, mergeFacts, missingTopics, type GymFacts, type Topic } from '../facts/model.js';
import type { Logger } from '../log.js';
import type {
  ConversationInput,
  FactsOnlyInput,
  FactsOnlyResult,
  HistoryTurn,
  LlmChunk,
  LlmProvider,
} from '../providers/llm/types.js';
import type { Language } from '../language/index.js';

// Facts are extracted only inside an LLM reply turn (REPLY.FACTS). A caller who states facts and hangs up before
// that reply finished — during the end-of-turn wait, while the reply is generating, or over the agent's speech —
// would lose them: the words reach the transcript, never the facts. The session runs this facts-only pass once the
// call has ended, on exactly the caller turns no completed reply went through, before it writes the call's end.
//
// Which turns went through a reply is seen from outside the machine, with no change to it: the reply actor's LLM is
// watched (`watch`), and a reply turn whose LLM stream finished covers the caller turns it was answering (those
// after the last agent turn of its input). A turn the machine committed on the hang-up itself (endpoint `hangup`)
// never had a reply: a speculative one started on those words was dropped with what it held.

/** The call as the session sees it at the end (the actor's final context). */
export interface CallEndState {
  readonly gymName: string;
  readonly direction: CallDirection;
  readonly facts: GymFacts;
  readonly asked: readonly Topic[];
  readonly history: readonly HistoryTurn[];
  readonly language?: Language | undefined;
}

export type WrapUpOutcome =
  /** Facts were extracted: `facts` is everything known now, `added` what the pass contributed. */
  | { kind: 'extracted'; facts: GymFacts; added: Partial<GymFacts>; ms: number }
  /** The pass ran and found no fact. */
  | { kind: 'none'; ms: number }
  /** The LLM failed or timed out: logged with its code; the call's transcript is unaffected. */
  | { kind: 'failed'; code: ErrorCode; ms: number };

interface OpenCallerTurn {
  readonly key: string;
  readonly text: string;
  readonly hangup: boolean;
}

// Passes still running in this process. The media stream has closed by then, so a shutdown that waits only for
// live calls would close the write queue under them and their facts would be counted as lost writes.
const inFlight = new Set<Promise<WrapUpOutcome>>();

/**
 * Resolves once every wrap-up pass running now has finished and its facts were handed to the recorder (each
 * session's continuation was attached before this is called, so it runs first). Bounded by the passes' timeouts.
 * Shutdown: await it after the last call has ended, before closing the write queue.
 */
export function wrapUpsSettled(): Promise<void> {
  return Promise.all([...inFlight]).then(() => undefined);
}

/** Default bound on the pass: long enough for one LLM round trip, short enough not to hold the call's end. */
export function wrapUpTimeoutMs(providerDeadlineMs: number): number {
  return Math.max(1000, 2 * providerDeadlineMs);
}

/** One per call: tracks caller turns and reply completions, then runs the pass once at the end. */
export class WrapUp {
  readonly #llm: LlmProvider;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #turns: OpenCallerTurn[] = [];
  /** Normalised caller turns a completed reply went through. */
  readonly #covered = new Set<string>();

  constructor(llm: LlmProvider, log: Logger, timeoutMs: number) {
    this.#llm = llm;
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  /** The LLM as the reply actor should use it: same provider, its completed reply turns noted. */
  watch(llm: LlmProvider): LlmProvider {
    const watched: LlmProvider = {
      name: llm.name,
      model: llm.model,
      capabilities: llm.capabilities,
      respond: (input, signal) => this.#observe(llm, input, signal),
    };
    if (llm.warm) watched.warm = (signal) => llm.warm?.(signal) ?? Promise.resolve();
    return watched;
  }

  async *#observe(llm: LlmProvider, input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk> {
    // Greetings, re-prompts and goodbyes do not read the caller's words for facts (the offline interviewer's
    // goodbye after "…we close at nine, bye" records nothing), so only reply turns cover them.
    const keys = input.reason === 'reply' || input.reason === 'clarify' ? answeredTurns(input.history) : [];
    // Restarted on the same words (a speculative reply dropped, then the committed one): covered only once this
    // one completes.
    for (const k of keys) this.#covered.delete(k);
    for await (const chunk of llm.respond(input, signal)) {
      // Marked before `done` goes out: the reply actor may stop reading there. Facts chunks came before it.
      if (chunk.type === 'done' && !signal.aborted) for (const k of keys) this.#covered.add(k);
      yield chunk;
    }
    if (!signal.aborted) for (const k of keys) this.#covered.add(k);
  }

  /** Every event the call actor emits (only caller turns matter). */
  emitted(e: CallEmitted): void {
    if (e.type !== 'ledger.callerTurn' || e.endpoint === 'backchannel' || e.text.trim() === '') return;
    // A phone tree's, a hold's, a voicemail's or a screening assistant's words: never a source of facts.
    if (e.situation !== undefined) return;
    this.#turns.push({ key: normalize(e.text), text: e.text, hangup: e.endpoint === 'hangup' });
  }

  /** The facts-only input for the caller turns no completed reply went through, or undefined if there are none. */
  pending(end: CallEndState): FactsOnlyInput | undefined {
    let first = 0;
    for (let i = this.#turns.length - 1; i >= 0; i--) {
      const t = this.#turns[i] as OpenCallerTurn;
      if (!t.hangup && this.#covered.has(t.key)) {
        first = i + 1;
        break;
      }
    }
    const open = this.#turns.slice(first);
    // "okay", "uh-huh" state no fact: no LLM call for them.
    if (open.every((t) => isBackchannelOnly(t.text))) return undefined;
    return {
      gymName: end.gymName,
      direction: end.direction,
      facts: end.facts,
      asked: [...end.asked],
      language: end.language,
      ...locate(end.history, open),
    };
  }

  /**
   * Run the pass if there is anything to extract: undefined at once when there is not (no LLM call), else a
   * promise that settles within the timeout and never rejects.
   */
  run(end: CallEndState): Promise<WrapUpOutcome> | undefined {
    const input = this.pending(end);
    if (input === undefined) return undefined;
    const pass = this.#extract(input, end.facts);
    inFlight.add(pass);
    void pass.finally(() => inFlight.delete(pass));
    return pass;
  }

  async #extract(input: FactsOnlyInput, known: GymFacts): Promise<WrapUpOutcome> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // Raced, not only signalled: a provider that ignores the abort still cannot hold the end of the call.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new AppError('PROVIDER_TIMEOUT', `wrap-up extraction took over ${this.#timeoutMs} ms`);
        abort.abort(err);
        reject(err);
      }, this.#timeoutMs);
    });
    try {
      const result = await Promise.race([extractWith(this.#llm, input, abort.signal), timeout]);
      for (const bad of result.invalid) {
        this.#log.warn(
          { code: 'VALIDATION_FAILED', tool: bad.name, error: bad.error, provider: this.#llm.name },
          'wrap-up extraction: invalid tool arguments ignored',
        );
      }
      const added = result.facts;
      if (added === undefined || isEmpty(added)) {
        this.#log.info({ provider: this.#llm.name, ms: ms() }, 'wrap-up extraction: no facts in the last words');
        return { kind: 'none', ms: ms() };
      }
      const facts = mergeFacts(known, added);
      this.#log.info({ provider: this.#llm.name, ms: ms(), ...counts(added) }, 'wrap-up extraction: facts recorded');
      return { kind: 'extracted', facts, added, ms: ms() };
    } catch (e) {
      abort.abort();
      const code: ErrorCode = isAppError(e) ? e.code : 'PROVIDER_FAILED';
      this.#log.error(
        { code, err: e instanceof Error ? e.message : String(e), provider: this.#llm.name, ms: ms() },
        "wrap-up extraction failed: facts in the caller's last words were not recorded (the transcript has them)",
      );
      return { kind: 'failed', code, ms: ms() };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The caller turns a reply answers: those after the last agent turn of its input, normalised. */
function answeredTurns(history: readonly HistoryTurn[]): string[] {
  const keys: string[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const t = history[i] as HistoryTurn;
    if (t.speaker === 'agent') break;
    keys.push(normalize(t.text));
  }
  return keys;
}

/**
 * Where the open turns start in the final history. The machine appends each committed caller turn to its history
 * with the ledger's text, so the open turns are its last caller turns; if they are not there (the history is
 * capped at 40 turns, or differs), they are appended so no word is left out.
 */
function locate(
  history: readonly HistoryTurn[],
  open: readonly OpenCallerTurn[],
): { history: HistoryTurn[]; extractFrom: number } {
  const callerIdx: number[] = [];
  for (let i = 0; i < history.length; i++) if (history[i]?.speaker === 'caller') callerIdx.push(i);
  const tail = callerIdx.slice(-open.length);
  const matches =
    tail.length === open.length && tail.every((h, k) => normalize(history[h]?.text ?? '') === open[k]?.key);
  if (matches && tail[0] !== undefined) return { history: [...history], extractFrom: tail[0] };
  return {
    history: [...history, ...open.map((t): HistoryTurn => ({ speaker: 'caller', text: t.text }))],
    extractFrom: history.length,
  };
}

/** The provider's facts-only mode, or (a provider without one) a reply turn of which only the facts are kept. */
async function extractWith(llm: LlmProvider, input: FactsOnlyInput, signal: AbortSignal): Promise<FactsOnlyResult> {
  if (llm.extractFacts) return llm.extractFacts(input, signal);
  const conversation: ConversationInput = {
    gymName: input.gymName,
    direction: input.direction,
    facts: input.facts,
    missing: missingTopics(input.facts),
    asked: input.asked,
    history: input.history,
    language: input.language,
    reason: 'reply',
  };
  let facts: GymFacts | undefined;
  const invalid: FactsOnlyResult['invalid'] = [];
  for await (const chunk of llm.respond(conversation, signal)) {
    if (chunk.type === 'facts') facts = mergeFacts(facts ?? emptyFacts(), chunk.facts);
    else if (chunk.type === 'invalid-tool') invalid.push({ name: chunk.name, error: chunk.error });
  }
  return { facts, invalid };
}

function counts(f: Partial<GymFacts>): { hoursDays: number; plans: number; classes: number } {
  return {
    hoursDays: Object.keys(f.hours ?? {}).length,
    plans: f.pricing?.length ?? 0,
    classes: f.classes?.length ?? 0,
  };
}

function isEmpty(f: Partial<GymFacts>): boolean {
  const c = counts(f);
  return c.hoursDays + c.plans + c.classes === 0;
}
