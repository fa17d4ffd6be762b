// What the caller has heard of the agent's utterances, as the speaker actor knows it from Twilio's mark echoes
// (one every ≈ 200 ms while audio plays). No decision of the machine depends on it: it is recorded only when an
// utterance is cut (barge-in, a close that stops the audio, a hang-up), in the ledger and the history the LLM
// sees. So the speaker keeps it, and the machine reads it at the moment of the cut, in the same microstep,
// instead of taking one event per mark (about half of a call's events, docs/call-machine.md).

/** Heard text of an utterance still playing (a prefix of its text, whole words), or undefined if none yet. */
export type HeardText = (utteranceId: string) => string | undefined;

export interface HeardLog {
  heardText: HeardText;
}

// Keyed by the call's actor system (a root actor and its invoked actors share it), as src/call/call-actor.ts keys
// the call's ports: no id can collide between calls, and an entry goes with its system.
const logs = new WeakMap<object, HeardLog>();
const nothingHeard: HeardText = () => undefined;

/** The speaker actor of the call running in `system` publishes its log; the returned function withdraws it. */
export function publishHeardLog(system: object, log: HeardLog): () => void {
  logs.set(system, log);
  return () => {
    if (logs.get(system) === log) logs.delete(system);
  };
}

/** The heard-text lookup of the call running in `system` (nothing heard when no speaker publishes one). */
export function heardIn(system: object): HeardText {
  return logs.get(system)?.heardText ?? nothingHeard;
}
