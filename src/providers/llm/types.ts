import type { DeskReplyEvent } from '../../../machines/events.js';
import type { CallbackRequest, Refusal, Situation, SpokenOutcome } from '../../../machines/outcomes.js';
import { TOPICS, type GymFacts, type Topic } from '../../facts/model.js';
import type { FlowScript } from '../../flows/script.js';
import type { MetricSink } from '../metrics.js';
import type { Language } from '../../language/index.js';

// The conversation brain. Streams text deltas and tool calls; cancellable. The offline interviewer and
// OpenAI implement the same interface, so the call machine never knows which one it talks to.

export interface LlmCapabilities {
  readonly streaming: boolean;
  readonly tools: boolean;
}

export interface HistoryTurn {
  speaker: 'agent' | 'caller';
  /** For agent turns: what the caller actually heard (truncated when interrupted). */
  text: string;
  interrupted?: boolean;
  /**
   * Caller words that were a phone tree, a hold announcement, a voicemail greeting or a screening assistant, not a
   * person: shown to the model marked as such (so it can press keys or wait), never a source of facts.
   */
  situation?: Situation | undefined;
}

/** A known fact the call briefly confirms instead of asking afresh: "are you still open six to ten on weekdays?". */
export interface FactToConfirm {
  readonly topic: Topic;
  /** The one sentence that confirms it, in the spoken vocabulary (src/facts/say.ts). */
  readonly question: string;
  /** The known value the question says back: what the call records when the gym says it still holds. */
  readonly facts: Partial<GymFacts>;
}

/**
 * What a planned call is for (a campaign's follow-up, src/campaigns/policy/follow-up.ts): the only topics it asks,
 * the known facts it confirms, and whom it asks for. Without one a call asks every topic.
 */
export interface ConversationBrief {
  readonly topicsToAsk: readonly Topic[];
  readonly factsToConfirm: readonly FactToConfirm[];
  /** The person to ask for (a callback's "ask for Mike"). */
  readonly askFor?: string | undefined;
  /** false: a message was already left in this campaign, so a voicemail is hung up on (one message only). */
  readonly leaveVoicemail?: boolean | undefined;
  /** The gym's IANA zone as its row knows it (a campaign's call): what "call back after two" is read in. */
  readonly timeZone?: string | undefined;
}

/**
 * The topics a call with `brief` collects: those it asks and those it confirms; every topic without a brief. With a
 * flow variant's topic `order` they come in that order.
 */
export function briefTopics(brief: ConversationBrief | undefined, order?: readonly Topic[]): readonly Topic[] {
  if (brief === undefined) return order ?? TOPICS;
  const topics = [...new Set([...brief.topicsToAsk, ...brief.factsToConfirm.map((f) => f.topic)])];
  return order === undefined ? topics : order.filter((t) => topics.includes(t));
}

export interface ConversationInput {
  gymName: string;
  direction: 'inbound' | 'outbound';
  facts: GymFacts;
  missing: Topic[];
  /** Topics the agent already asked about (the repeat guard also enforces this in the machine). */
  asked: Topic[];
  history: HistoryTurn[];
  /** Topics the staff refused on the phone: never asked again. */
  refused?: Topic[] | undefined;
  /** The gym's IANA time zone, for reading a callback's "after two" (src/situations/timezone.ts). */
  timeZone?: string | undefined;
  /** What this call is for, when it was planned: only these topics, these confirmations. */
  brief?: ConversationBrief | undefined;
  /** The flow variant this call runs (an A/B experiment, src/flows/): topic order and question wording. */
  flow?: FlowScript | undefined;
  /** The language the agent speaks now (src/language/); none: English. */
  language?: Language | undefined;
  /**
   * The person said they will transfer the call, and the agent asks what this person may still know first
   * ("before you transfer me, …"); the transfer comes next.
   */
  awaitingTransfer?: boolean | undefined;
  /**
   * The agent's last question as it was to be said: what the caller heard of it may have been cut short (the
   * history has that), and "sorry, what was that?" asks for it again.
   */
  lastQuestion?: string | undefined;
  /** Why the agent is speaking now. */
  reason: 'greeting' | 'reply' | 'reprompt' | 'clarify' | 'closing';
  /** Where the tokens the API reports for this request go (the call's cost meter, src/costs/meter.ts). */
  onUsage?: ((usage: LlmUsage) => void) | undefined;
  /** This request's own view of its metrics (a call's trace): first token, failed attempts (../metrics.ts). */
  onMetric?: MetricSink | undefined;
}

/** Tokens one request used, as the API reports them (`usage`); providers that run locally report none. */
export interface LlmUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export type LlmChunk =
  | { type: 'text'; delta: string }
  | { type: 'facts'; facts: Partial<GymFacts> }
  /** The model asked about a topic (so the machine can mark it asked). */
  | { type: 'asked'; topic: Topic }
  | { type: 'end-call'; reason: 'facts-complete' | 'caller-request' | 'other' }
  /** Press these keys on a phone tree (in-band DTMF or the Twilio redirect, by configuration). */
  | { type: 'press-keys'; digits: string }
  /** The agent was put on hold: wait silently for a person. */
  | { type: 'hold' }
  /** The line is a voicemail greeting (`full`: it said the mailbox is full). */
  | { type: 'voicemail'; full: boolean }
  | { type: 'refusal'; refusal: Refusal }
  /** A callback request; `timeZone` is the zone its earliest time was read in. */
  | { type: 'callback'; request: CallbackRequest & { timeZone: string } }
  | { type: 'outcome'; outcome: SpokenOutcome }
  /** Front desk (src/frontdesk/): a message started, taken or cancelled, or a transfer to the staff asked for. */
  | { type: 'desk'; event: DeskReplyEvent }
  | { type: 'invalid-tool'; name: string; error: string }
  | { type: 'done'; finishReason: 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other' };

/**
 * The call has ended (the caller hung up) with caller words no reply went through: facts only, nothing is said.
 * See docs/providers.md "Wrap-up extraction".
 */
export interface FactsOnlyInput {
  gymName: string;
  direction: 'inbound' | 'outbound';
  /** Facts recorded so far: record only what these do not already say. */
  facts: GymFacts;
  asked: Topic[];
  /** The conversation as heard, up to the end of the call. */
  history: HistoryTurn[];
  /** Index in `history` of the first turn not yet through extraction: only caller turns from here on are read. */
  extractFrom: number;
  /** The language of the conversation (the parsers read its words); none: English. */
  language?: Language | undefined;
  /** As ConversationInput.onUsage. */
  onUsage?: ((usage: LlmUsage) => void) | undefined;
  /** As ConversationInput.onMetric. */
  onMetric?: MetricSink | undefined;
}

export interface FactsOnlyResult {
  /** Validated facts (the same conversion and checks as a reply's record_facts), or undefined for none. */
  facts: Partial<GymFacts> | undefined;
  /** Tool calls rejected by validation: nothing can be asked again after the call, so they are only logged. */
  invalid: { name: string; error: string }[];
}

export interface LlmProvider {
  readonly name: string;
  /** The model asked, when it has a name (OpenAI's gpt-4o-mini). */
  readonly model?: string | undefined;
  readonly capabilities: LlmCapabilities;
  respond(input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk>;
  /**
   * Facts-only pass after the call ended (src/call/wrap-up.ts). Optional: without it the wrap-up runs `respond`
   * with reason 'reply' and keeps only its facts (the text is never spoken).
   */
  extractFacts?(input: FactsOnlyInput, signal: AbortSignal): Promise<FactsOnlyResult>;
  /** Optional: open the network connection ahead of the first request (start-up, call start). May reject. */
  warm?(signal?: AbortSignal): Promise<void>;
}
