import type { CallEmitted } from '../../machines/events.js';
import type { CallStartInfo, ReplyLatency } from '../call/observer.js';
import type { ServerStages } from '../call/quality.js';

// A live call as the monitor page shows it, and the events that keep a page's copy in step. The transcript is the
// machine's own turns (its ledger, as stored) followed by what is happening now: the gym's words the recogniser has
// so far (finals, then the interim guess, which the page greys) and the agent's sentences that have started playing;
// a committed turn replaces them. Everything is bounded, so a call that runs for an hour costs the same memory as one
// that runs a minute. Pure: the hub (hub.ts) owns the views and sends the events.

const MAX_TURNS = 200;
const MAX_LIVE = 20;
const MAX_LATENCY = 50;
const MAX_TEXT = 2000;

export interface TurnView {
  seq: number;
  speaker: 'agent' | 'caller';
  text: string;
  /** What the gym heard of an agent turn (shorter than `text` when it was cut). */
  heard: string;
  interrupted: boolean;
  /** A phone tree, hold, voicemail or screening talking, not a person. */
  situation: string | null;
}

export interface LiveWords {
  hearing: { finals: string[]; interim: string };
  saying: string[];
}

export interface LatencyView {
  responseGapMs: number | null;
  endOfTurnToFirstAudioMs: number | null;
  stages: ServerStages | null;
}

export interface EndedView {
  reason: string;
  outcome: string;
  at: string;
}

export interface CallView {
  callId: string;
  direction: 'inbound' | 'outbound';
  gymName: string;
  startedAt: string;
  /** The call statechart's state, as the inspector names it (src/call/state-string.ts). */
  state: string;
  providers: { asr: string; llm: string; tts: string };
  turns: TurnView[];
  /** Turns no longer kept (the oldest, past MAX_TURNS). */
  turnsDropped: number;
  live: LiveWords;
  latency: LatencyView[];
  ended: EndedView | null;
}

export type PageEvent =
  | { event: 'call'; data: CallView }
  | { event: 'state'; data: { callId: string; state: string } }
  | { event: 'turn'; data: { callId: string; turn: TurnView; live: LiveWords } }
  | { event: 'live'; data: { callId: string; live: LiveWords } }
  | { event: 'latency'; data: { callId: string; latency: LatencyView } }
  | { event: 'ended'; data: { callId: string; ended: EndedView } }
  | { event: 'gone'; data: { callId: string } };

/** Server-Sent Events framing: one event, its data one JSON line (JSON never contains a raw newline). */
export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function newView(info: CallStartInfo, startedAt: Date): CallView {
  return {
    callId: info.callId,
    direction: info.direction,
    gymName: bounded(info.gymName),
    startedAt: startedAt.toISOString(),
    state: '',
    providers: { ...info.providers },
    turns: [],
    turnsDropped: 0,
    live: { hearing: { finals: [], interim: '' }, saying: [] },
    latency: [],
    ended: null,
  };
}

export function onState(v: CallView, state: string): PageEvent {
  v.state = state;
  return { event: 'state', data: { callId: v.callId, state } };
}

export function onWords(v: CallView, w: { text: string; final: boolean }): PageEvent {
  const h = v.live.hearing;
  if (w.final) {
    if (w.text.trim() !== '') pushBounded(h.finals, bounded(w.text), MAX_LIVE);
    h.interim = '';
  } else h.interim = bounded(w.text);
  return live(v);
}

export function onUtterance(v: CallView, text: string): PageEvent {
  pushBounded(v.live.saying, bounded(text), MAX_LIVE);
  return live(v);
}

export function onLatency(v: CallView, l: ReplyLatency): PageEvent {
  const latency: LatencyView = {
    responseGapMs: roundOrNull(l.responseGapMs),
    endOfTurnToFirstAudioMs: roundOrNull(l.endOfTurnToFirstAudioMs),
    stages: l.stages === undefined ? null : roundStages(l.stages),
  };
  pushBounded(v.latency, latency, MAX_LATENCY);
  return { event: 'latency', data: { callId: v.callId, latency } };
}

/** What the machine emitted, as the page sees it; undefined for what the page does not show. */
export function onEmitted(v: CallView, e: CallEmitted): PageEvent | undefined {
  switch (e.type) {
    case 'ledger.agentTurn':
      v.live.saying = [];
      return turn(v, {
        seq: e.seq,
        speaker: 'agent',
        text: bounded(e.text),
        heard: bounded(e.heardText),
        interrupted: e.interrupted,
        situation: null,
      });
    case 'ledger.callerTurn': {
      v.live.hearing = { finals: [], interim: '' };
      // A backchannel ("uh-huh" over the agent) is not a turn; the review page and the transcript leave it out too.
      if (e.endpoint === 'backchannel' || e.text.trim() === '') return live(v);
      const text = bounded(e.text);
      return turn(v, {
        seq: e.seq,
        speaker: 'caller',
        text,
        heard: text,
        interrupted: false,
        situation: e.situation ?? null,
      });
    }
    case 'call.ended':
      return end(v, e.reason, e.outcome);
    default:
      return undefined;
  }
}

/** The session finished the call; one whose machine never said `call.ended` (it failed) is shown ended now. */
export function onFinished(v: CallView, reason: string): PageEvent | undefined {
  return v.ended === null ? end(v, reason, '') : undefined;
}

function end(v: CallView, reason: string, outcome: string): PageEvent {
  v.ended = { reason, outcome, at: new Date().toISOString() };
  v.live = { hearing: { finals: [], interim: '' }, saying: [] };
  return { event: 'ended', data: { callId: v.callId, ended: v.ended } };
}

/**
 * A turn in its place by seq, as the transcript stores it: a turn committed before its words came gets them later
 * under its own seq (the recogniser behind real time: her hello during the greeting), and each time more of them come
 * the turn is sent again, whole. The page places it the same way (monitor.js placeTurn).
 */
function turn(v: CallView, t: TurnView): PageEvent {
  const at = v.turns.findIndex((x) => x.seq >= t.seq);
  if (at < 0) v.turns.push(t);
  else if (v.turns[at]?.seq === t.seq) v.turns[at] = t;
  else v.turns.splice(at, 0, t);
  if (v.turns.length > MAX_TURNS) {
    v.turns.shift();
    v.turnsDropped++;
  }
  return { event: 'turn', data: { callId: v.callId, turn: t, live: copyLive(v.live) } };
}

function live(v: CallView): PageEvent {
  return { event: 'live', data: { callId: v.callId, live: copyLive(v.live) } };
}

function copyLive(l: LiveWords): LiveWords {
  return { hearing: { finals: [...l.hearing.finals], interim: l.hearing.interim }, saying: [...l.saying] };
}

function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.shift();
}

function bounded(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function roundOrNull(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms);
}

function roundStages(s: ServerStages): ServerStages {
  return { llm: Math.round(s.llm), toTts: Math.round(s.toTts), tts: Math.round(s.tts), toFrame: Math.round(s.toFrame) };
}
