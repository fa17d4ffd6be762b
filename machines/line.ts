import { missingTopics, TOPICS, type GymFacts, type Topic } from '../src/facts/model.js';
import type { Key, MenuOption } from '../src/situations/menu.js';
import { briefTopics, type ConversationBrief, type HistoryTurn } from '../src/providers/llm/types.js';
import type { CallInput, VoicemailPolicy } from './events.js';
import { isMailboxFull, spokenOutcomeIn } from '../src/situations/cues.js';
import type { CallbackRequest, CallOutcome, IvrStep, Refusal } from './outcomes.js';
import { joinNonBlank } from './text.js';

// What the call machine knows about who is on the line, beyond the conversation: the phone tree's keys, the
// voices met (a transfer brings a new one), what the gym refused or deferred, and the outcome once one is decided.
// Plain data (snapshots serialise); updated by the situation region's actions (machines/situation.actions.ts).

export interface PhoneTreeMemory {
  /** Words of the menu being heard (since the last key press). */
  heard: string;
  /** The options of the menu the last key was pressed on (to tell a loop from a new menu). */
  lastMenu: readonly MenuOption[];
  /** Keys pressed on the current menu that brought us back to it. */
  tried: Key[];
  /** The key path so far that moved forward (a press that looped is taken out). */
  path: IvrStep[];
  /** Keys to press now (set on the way into `pressing`). */
  pressing: string;
  /** Menus that did not take our key ("sorry, I didn't get that", a loop, no answer). */
  failures: number;
  /** The key path that reached a person on an earlier call (IVR.REMEMBERED), while it still agrees. */
  remembered: IvrStep[] | undefined;
  /**
   * A key pressed on interim words (a remembered key heard early, ASR.STABLE): the media time those words reached.
   * Until the recogniser closes them, its final (which starts before this) is the menu we pressed on, not what
   * answered the key. Undefined after a press on a final, and once that late final has arrived.
   */
  keyAtMs: number | undefined;
}

export interface Line {
  /** An outcome a situation or the conversation decided (undefined: derived at the end, outcomeOf). */
  outcome: CallOutcome | undefined;
  /** Voices met: 0 the first, one more after each transfer. */
  party: number;
  /** The party the agent last introduced itself to (-1: nobody yet). The repeat guard allows one per party. */
  introducedTo: number;
  ivr: PhoneTreeMemory;
  /** "Let me transfer you": the voice after the next hold is a new party. */
  transferPending: boolean;
  /** Media time the current hold began (from the event that started it). */
  holdSinceMs: number | undefined;
  /** Media time the words that put us on hold ended (their final's end), if words did. */
  holdWordsEndMs: number | undefined;
  /**
   * The current hold is a queue's by its own words: a recording recognised as one put us there ("please stay on the
   * line") or an announcement was recognised on it. A person coming back from such a hold says so ("hi, thanks for
   * holding", "this is Anna"); other words on it are the queue's, however person-like the recogniser made them.
   * Music heard as words does not make it one: a loud front desk whose person's hello was not made out sounds the
   * same, and her words must still reach us.
   */
  holdSounded: boolean;
  /** Every key press of the call, in order (for the end report). */
  keys: string[];
  refusals: Refusal[];
  callback: CallbackRequest | undefined;
  voicemail: VoicemailPolicy;
}

/** The configured voicemail policy, except that a planned call whose campaign already left a message hangs up. */
function voicemailPolicy(input: CallInput): VoicemailPolicy {
  const configured = input.voicemail ?? { mode: 'hangup', callbackNumber: undefined };
  return input.brief?.leaveVoicemail === false ? { ...configured, mode: 'hangup' } : configured;
}

export function initialLine(input: CallInput): Line {
  return {
    outcome: undefined,
    party: 0,
    introducedTo: -1,
    ivr: {
      heard: '',
      lastMenu: [],
      tried: [],
      path: [],
      pressing: '',
      failures: 0,
      remembered: undefined,
      keyAtMs: undefined,
    },
    transferPending: false,
    holdSinceMs: undefined,
    holdWordsEndMs: undefined,
    holdSounded: false,
    keys: [],
    refusals: [],
    callback: undefined,
    voicemail: voicemailPolicy(input),
  };
}

/** Topics still missing that the gym has not refused, in `order` (a flow's topic order): what is left to ask. */
export function askable(
  facts: GymFacts,
  line: Line,
  among: readonly Topic[] = TOPICS,
  order: readonly Topic[] = TOPICS,
): Topic[] {
  const refused = new Set(line.refusals.map((r) => r.topic));
  return missingTopics(facts, among, order).filter((t) => !refused.has(t));
}

/**
 * What the call came to: the outcome a situation or the conversation decided, else from the facts, refusals and
 * callback request; a call where no person ever spoke is `no-answer`.
 */
export function outcomeOf(c: {
  facts: GymFacts;
  line: Line;
  history: readonly HistoryTurn[];
  caller: { finals: readonly string[]; partial: string };
  brief?: ConversationBrief | undefined;
}): CallOutcome {
  if (c.line.outcome !== undefined) return c.line.outcome;
  const among = briefTopics(c.brief);
  if (missingTopics(c.facts, among).length === 0) return 'completed';
  const unanswered = unansweredOutcome(c);
  if (unanswered !== undefined) return unanswered;
  if (c.line.callback !== undefined) return 'callback-requested';
  if (!c.history.some((h) => h.speaker === 'caller')) return 'no-answer';
  return askable(c.facts, c.line, among).length === 0 ? 'refused' : 'partial';
}

/**
 * Words that end a call by themselves, the last heard before the line went down with nothing said to them: a
 * recording that says the gym has closed, or that the mailbox is full, and hangs up; a person who says "wrong
 * number" and hangs up. The conversation never got to decide. Her words still in the recogniser's hands at the
 * hang-up (the machine's `draining`) come first, else her last turn if nothing answered it.
 */
function unansweredOutcome(c: {
  history: readonly HistoryTurn[];
  caller: { finals: readonly string[]; partial: string };
}): CallOutcome | undefined {
  const pending = joinNonBlank(c.caller.finals, c.caller.partial);
  const last = c.history[c.history.length - 1];
  const words = pending.length > 0 ? pending : last?.speaker === 'caller' ? last.text : '';
  if (words.length === 0) return undefined;
  return spokenOutcomeIn(words) ?? (isMailboxFull(words) ? 'voicemail-full' : undefined);
}
