import type { Topic } from '../facts/model.js';

// What of a flow variant reaches the conversation itself: the call machine's own lines (greeting, questions, the
// holding line), the order of the topics, and the LLM's instructions (the OpenAI prompt, the offline interviewer).
// The voice and the endpointing profile are applied around the machine by the call session (src/flows/assign.ts).
// Plain data, so the machine's snapshots still serialise. Every field is optional: a field left out means today's
// built-in behaviour, so the control variant (no overrides) runs exactly the code a call without an experiment runs.

/** What the agent says while the LLM has not produced its first sentence. */
export type FillerPolicy =
  /** One holding line ("One moment, please.") after `afterMs` (default PROVIDER_DEADLINE_MS), from `lines`. */
  | {
      readonly mode: 'holding-line';
      readonly afterMs?: number | undefined;
      readonly lines?: readonly string[] | undefined;
    }
  /** Nothing: the caller hears silence until the reply (the reply's own deadline still ends a stuck reply). */
  | { readonly mode: 'none' };

/** Introduction templates, by direction; `{gym}` is the gym's name ("the gym" when unknown), `{topics}` the topics. */
export interface GreetingWording {
  readonly outbound?: string | undefined;
  readonly inbound?: string | undefined;
}

export interface FlowScript {
  /** The experiment and the variant this call runs (for the ledger and the logs). */
  readonly experiment: string;
  readonly variant: string;
  /** The order topics are asked in (every topic once); undefined: hours, pricing, classes. */
  readonly topicOrder?: readonly Topic[] | undefined;
  readonly greeting?: GreetingWording | undefined;
  /** The question for each topic, said as is (and given to the LLM as the words to ask with). */
  readonly questions?: Readonly<Partial<Record<Topic, string>>> | undefined;
  readonly filler?: FillerPolicy | undefined;
}

/** The greeting template of `direction`, with `{gym}` and `{topics}` filled in; undefined: the built-in wording. */
export function renderGreeting(
  flow: FlowScript | undefined,
  direction: 'inbound' | 'outbound',
  gym: string | undefined,
  topics: string,
): string | undefined {
  const template = flow?.greeting?.[direction];
  return template === undefined ? undefined : fillGreeting(template, gym, topics);
}

/** A greeting template with its placeholders filled in. */
export function fillGreeting(template: string, gym: string | undefined, topics: string): string {
  return template.replaceAll('{gym}', gym ?? 'the gym').replaceAll('{topics}', topics);
}

/** The placeholders a greeting template may use. */
export const GREETING_PLACEHOLDERS = ['{gym}', '{topics}'] as const;
