import type { MachineEvent } from '../../machines/events.js';
import { nothingLeftToAsk, pending, type CallContext } from '../../machines/context.js';
import { endsSentence, isBackchannelOnly, isCompleteUtterance, isGoodbye, words } from '../../machines/text.js';
import { soundsLikePickup } from '../../src/situations/pickup.js';
import { wordsOwed } from '../../machines/caller-words.js';
import { pausedVoiceStoodOut } from '../../machines/evidence.js';

// The event sampler and the state abstraction of the model-based test (model.test.ts). Events are offered only
// where the real pipeline could send them (VAD.VOICE only while the caller is silent, speaker events for the
// utterance actually playing, timers the active states armed), which keeps the explored graph small enough to
// walk in seconds while still reaching every transition.

export interface Snap {
  value: unknown;
  status: string;
  context: CallContext;
  _nodes: Array<{ transitions: Map<string, unknown> }>;
  matches(v: unknown): boolean;
}

const HOURS = { hours: { mon: { opens: '06:00', closes: '22:00' } } };
const ALL_FACTS = {
  ...HOURS,
  pricing: [{ plan: 'monthly', amountMinor: 4900, currency: 'USD', period: 'month' as const }],
  classes: [{ name: 'yoga' }],
};
export const final = (text: string, endMs = 0): MachineEvent => ({
  type: 'ASR.FINAL',
  text,
  confidence: 0.9,
  speechFinal: true,
  startMs: 0,
  endMs,
});

export function eventsFor(s: Snap): MachineEvent[] {
  const c = s.context;
  const inTurn = (v: string) => s.matches({ live: { turn: v } });
  const ev: MachineEvent[] = [{ type: 'CALL.HANGUP', reason: 'stop' }];
  // The monitor's hang-up takes the same transition from every turn state: offered where it costs the walk least.
  if (inTurn('connecting') || s.matches({ live: { turn: { closing: 'hangingUp' } } }))
    ev.push({ type: 'OPERATOR.HANGUP' });
  if (inTurn('connecting')) {
    ev.push(
      { type: 'MEDIA.START' },
      { type: 'DTMF.RECEIVED', digit: '1', atMs: 0 },
      { type: 'ASR.ERROR', message: 'blip', fatal: false },
      { type: 'SPEAKER.CLEARED' },
    );
  } else {
    ev.push({ type: 'ASR.ERROR', message: 'gone', fatal: true }, { type: 'SPEAKER.ERROR', message: 'no tts' });
  }
  ev.push(
    s.matches({ live: { caller: 'speaking' } }) || s.matches({ live: { caller: 'onset' } })
      ? { type: 'VAD.SILENCE', atMs: 0 }
      : { type: 'VAD.VOICE', atMs: 0 },
  );
  ev.push({ type: 'ASR.PARTIAL', text: 'we open' });
  // Her voice paused on interim words (sent while she is speaking): an early reply may start on them.
  if (inTurn('listening') && s.matches({ live: { caller: 'speaking' } }))
    ev.push({ type: 'ASR.STABLE', text: 'we open at six.' });
  ev.push(
    final('six'),
    final('we open at six.'),
    final('we open at six and'),
    final('thanks, goodbye'),
    { type: 'ASR.UTTERANCE_END' },
    { type: 'ASR.UTTERANCE_END', silenceMs: 1000 },
  );
  if (s.matches({ live: { reply: 'generating' } })) {
    const last = [...(c.agentTurn?.utterances ?? [])].pop()?.text ?? 'Thanks.';
    ev.push(
      { type: 'REPLY.SENTENCE', text: 'Thanks.' },
      { type: 'REPLY.SENTENCE', text: last },
      { type: 'REPLY.SENTENCE', text: 'Hi, I am an automated assistant.' },
      { type: 'REPLY.SENTENCE', text: 'And when do you open?' },
      { type: 'REPLY.SENTENCE', text: 'Goodbye!' },
      { type: 'REPLY.FACTS', facts: ALL_FACTS },
      { type: 'REPLY.ASKED', topic: 'pricing' },
      { type: 'REPLY.END_CALL', reason: 'caller-request' },
      { type: 'REPLY.DONE' },
      { type: 'REPLY.ERROR', message: 'llm down' },
    );
  }
  const p = pending(c)[0];
  if (p !== undefined) {
    ev.push(
      { type: 'SPEAKER.STARTED', utteranceId: p.id, atMs: 0 },
      { type: 'SPEAKER.DURATION', utteranceId: p.id, ms: 1000 },
      { type: 'SPEAKER.PLAYED', utteranceId: p.id, atMs: 0 },
    );
  }
  if (s.matches({ live: { playback: 'playing' } })) ev.push({ type: 'SPEAKER.PLAYED', utteranceId: 'stale', atMs: 0 });
  if (s.matches({ live: { playback: 'draining' } })) ev.push({ type: 'SPEAKER.CLEARED' });
  // The session's evidence that sound over the agent is her voice (src/call/caller-voice.ts), and a word of hers.
  if (inTurn('speaking') || inTurn('interrupted'))
    ev.push(
      { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'absent', noisy: false },
      { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'present', noisy: true },
      { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'held', noisy: true },
      { type: 'ASR.PARTIAL', text: 'sorry' },
    );
  // A word of hers with her voice under it (the VAD's onset is at 0): it pauses the agent on a noisy line too.
  if (inTurn('speaking')) ev.push(final('sorry', 1000));
  // A noisy line before anyone was greeted: the room's words before her voice are dropped when it starts.
  if (inTurn('awaitingHello'))
    ev.push(
      { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'absent', noisy: true },
      // ... or a voice standing over it (a hello said again by a noisy room: guard helloRepeatedNear), which lets go
      // in a room of talking people (nearVoicePausedInTalkingRoom).
      { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'present', noisy: true },
      { type: 'CALLER.EVIDENCE', atMs: 0, voice: 'absent', noisy: true, roomSpeaks: true },
    );
  // Waiting for a recogniser behind her voice: interim words that get further, still short of its end.
  if (s.matches({ live: { turn: { listening: { endpointing: 'noWords' } } } }) && c.lastSilenceMs !== undefined)
    ev.push(
      { type: 'ASR.PARTIAL', text: 'we open at six and', endMs: c.lastSilenceMs - 1000 },
      // ... and the final of a stretch of hers before the last one (the model's voice edges are all at 0).
      { type: 'ASR.FINAL', text: 'we open', confidence: 0.9, speechFinal: true, startMs: -1000, endMs: -500 },
    );
  // A committed turn's words from a recogniser behind real time: its audio ended where that turn did.
  const to = c.committedToMs;
  if (to !== undefined)
    ev.push(
      { type: 'ASR.PARTIAL', text: 'hello', endMs: to },
      { type: 'ASR.FINAL', text: 'hello', confidence: 0.9, speechFinal: true, startMs: to - 500, endMs: to },
    );
  // Draining after a hang-up: the recogniser's answer to the flush, and a final of her voice that is not it.
  if (s.matches('draining'))
    ev.push({ ...final('and spin', 1000), flushed: true } as MachineEvent, final('we also have', 1000));
  // ... and the answer to it holding a committed turn's late words (she hung up during the greeting).
  if (s.matches('draining') && to !== undefined)
    ev.push({ ...final('hello', to + 400), startMs: to - 500, flushed: true } as MachineEvent);
  // Music heard as words after her voice ended, on a noisy line: the room's, not hers (the caller region).
  if (c.evidence.noisy) ev.push({ type: 'ASR.PARTIAL', text: 'noon noon', endMs: 5000 });
  // Her voice held while the greeting cannot be interrupted: the guard's end takes it up (turn.greeting).
  if (inTurn('greeting')) ev.push({ type: 'CALLER.EVIDENCE', atMs: 0, voice: 'held', noisy: false });
  // The minimum-speech timer of the caller region is a delayed CALLER.SPEECH_START.
  if (s.matches({ live: { caller: 'onset' } })) ev.push({ type: 'CALLER.SPEECH_START', atMs: c.voiceOnsetMs });
  // Timers and actor completions are events too: offer those the active states are waiting for.
  for (const node of s._nodes) {
    for (const type of node.transitions.keys()) {
      if (type.startsWith('xstate.after.')) ev.push({ type } as unknown as MachineEvent);
      else if (type.startsWith('xstate.done.actor.')) ev.push({ type, output: undefined } as unknown as MachineEvent);
      else if (type.startsWith('xstate.error.actor.'))
        ev.push({ type, error: new Error('actor failed') } as unknown as MachineEvent);
    }
  }
  return ev;
}

/**
 * What the guards can see, coarsened: the state value plus a few context classes. Flags that only matter in one
 * state (holding line said, reply failures, re-prompt count) are kept only there: they are reset on the way in,
 * so merging them elsewhere loses no behaviour.
 */
export function serialize(s: Snap): string {
  const c = s.context;
  const text = [...c.caller.finals, c.caller.partial].join(' ');
  const complete = isCompleteUtterance(text) ? (endsSentence(text) ? 4 : 3) : 2;
  const heard = words(text).length === 0 ? 0 : isBackchannelOnly(text) ? 1 : complete;
  const turn = JSON.stringify((s.value as { live?: { turn?: unknown } }).live?.turn ?? null);
  const local: unknown[] = [];
  if (turn.startsWith('"thinking')) local.push(c.holdingSaid, Math.min(c.replyErrors, 3), c.replySentences > 0);
  if (turn.includes('waiting')) local.push(c.idlePrompts);
  // Outbound, before the greeting: whether the words so far sound like a person picking up (guard pickupHeard).
  // ... and whether the line is noisy (guard lineNoisy: her voice starting drops the room's words).
  // ... and what tells a hello said again by a noisy room (guard helloRepeatedNear).
  if (turn.includes('awaitingHello'))
    local.push(
      soundsLikePickup(text, c.gymName),
      c.evidence.noisy,
      pausedVoiceStoodOut(c),
      c.shortVoiceMs !== undefined,
    );
  if (turn.includes('closing') || turn.includes('speaking') || turn.includes('greeting'))
    local.push(
      c.outbox.length > 0,
      pending(c)[0]?.status,
      c.agentTurn?.utterances.some((u) => u.status === 'played' && isGoodbye(u.text)) ?? false,
    );
  // The evidence guards are read only while the agent has the floor (turn.speaking / turn.interrupted): elsewhere
  // the line's evidence changes no behaviour, and keeping it would multiply the whole graph by it. The guards
  // read the event for held; from context only measured, her voice there (noisy with it, as offered).
  if (turn.includes('speaking') || turn.includes('interrupted'))
    local.push(c.evidence.voice === undefined ? '-' : c.evidence.voice === 'absent' ? 'a' : 'p');
  if (turn.includes('greeting')) local.push(c.evidence.voice === 'held');
  // Hung up: whether a turn was committed, so that its late words can come while the last words drain; whether
  // anything is still owed (guard nothingOwed).
  if (s.value === 'draining')
    local.push(c.committedToMs !== undefined, c.caller.partial.trim() === '' && !wordsOwed(c));
  return JSON.stringify([
    s.value,
    s.status,
    heard,
    Math.min(pending(c).length, 2),
    c.endRequested !== undefined || nothingLeftToAsk(c),
    local,
  ]);
}
