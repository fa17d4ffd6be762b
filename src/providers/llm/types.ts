import type { GymFacts, Topic } from '../../facts/model.js';

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
}

export interface ConversationInput {
  gymName: string;
  direction: 'inbound' | 'outbound';
  facts: GymFacts;
  missing: Topic[];
  /** Topics the agent already asked about (the repeat guard also enforces this in the machine). */
  asked: Topic[];
  history: HistoryTurn[];
  /** Why the agent is speaking now. */
  reason: 'greeting' | 'reply' | 'reprompt' | 'clarify' | 'closing';
}

export type LlmChunk =
  | { type: 'text'; delta: string }
  | { type: 'facts'; facts: Partial<GymFacts> }
  /** The model asked about a topic (so the machine can mark it asked). */
  | { type: 'asked'; topic: Topic }
  | { type: 'end-call'; reason: 'facts-complete' | 'caller-request' | 'other' }
  | { type: 'invalid-tool'; name: string; error: string }
  | { type: 'done'; finishReason: 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other' };

export interface LlmProvider {
  readonly name: string;
  readonly capabilities: LlmCapabilities;
  respond(input: ConversationInput, signal: AbortSignal): AsyncIterable<LlmChunk>;
  /** Optional: open the network connection ahead of the first request (start-up, call start). May reject. */
  warm?(signal?: AbortSignal): Promise<void>;
}
