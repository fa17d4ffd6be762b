import { z } from 'zod';
import { TOPICS } from '../facts/model.js';
import { factsSchema } from './persona-facts.js';

// How a persona's phone line answers before (and around) the person at the desk: a graph of named nodes, entered
// at `start`. A phone tree is menus whose options lead to other nodes; hold, voicemail, a screening assistant, a
// recording and a person are nodes too, so "which path reaches a person" is whatever the graph says, loops
// included. src/demo/flow.ts walks it; src/demo/switchboard.ts plays it on the line.

/** A node's name: what `to`, `then` and `start` refer to. */
const nodeName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a node name is lower-case letters, digits and -');
/** Words the gym's phone system or a person says (checked against the recogniser's vocabulary separately). */
const spoken = z.string().trim().min(1).max(400);
const key = z.string().regex(/^[0-9*#]$/, 'a key is one of 0-9 * #');

const option = z
  .object({
    key,
    /** What the option is for, as the menu says it ("membership and sales"). */
    label: z.string().trim().min(1).max(80),
    /** "for membership, press 2" (label-first) or "press 2 for membership" (key-first). */
    order: z.enum(['label-first', 'key-first']).default('label-first'),
    to: nodeName,
  })
  .strict();

const menu = z
  .object({
    kind: z.literal('menu'),
    /** Said once, the first time the menu plays ("Thank you for calling Peak Performance Gym."). */
    intro: spoken.optional(),
    options: z.array(option).min(1).max(12),
    /** Keys that work but are not announced (the operator's 0 on many systems). */
    unlisted: z
      .array(option.omit({ label: true, order: true }))
      .max(12)
      .default([]),
    /** Said after a key the menu does not take, before the options play again. */
    invalid: spoken.default("Sorry, I didn't get that."),
    /** Silence after the options before they play again (ms). */
    waitMs: z.number().int().min(1000).max(30_000).default(5000),
    /** Times the options play without a key before the menu gives up (goes to `timeout`). */
    plays: z.number().int().min(1).max(10).default(3),
    timeout: z.union([nodeName, z.literal('hangup')]).default('hangup'),
  })
  .strict();

const recording = z
  .object({
    kind: z.literal('recording'),
    says: spoken,
    then: z.union([nodeName, z.literal('hangup')]),
  })
  .strict();

const hold = z
  .object({
    kind: z.literal('hold'),
    /** How long the caller waits (ms of call time). */
    ms: z.number().int().min(0).max(3_600_000),
    sound: z.enum(['music', 'silence']).default('music'),
    /** Music seed (src/sim/noise/music.ts); the same seed gives the same song. */
    seed: z.number().int().min(0).max(0xffff_ffff).default(7),
    /** "Your call is important to us", said every `everyMs` while the caller waits (the music pauses for it). */
    announcement: z
      .object({ says: spoken, everyMs: z.number().int().min(5000).max(600_000) })
      .strict()
      .optional(),
    then: nodeName,
  })
  .strict();

const voicemail = z
  .object({
    kind: z.literal('voicemail'),
    greeting: spoken,
    /** The tone after the greeting (a mailbox that is full plays none). */
    beep: z
      .object({ hz: z.number().min(300).max(3000), ms: z.number().int().min(100).max(2000) })
      .strict()
      .default({ hz: 1000, ms: 500 }),
    /** The mailbox takes no message: it says so after the greeting and hangs up. */
    full: z.boolean().default(false),
    /** A message longer than this is cut off by the mailbox (ms). */
    maxMessageMs: z.number().int().min(5000).max(300_000).default(60_000),
  })
  .strict();

const screening = z
  .object({
    kind: z.literal('screening'),
    /** "Hi, the person you're calling is using a screening service. Please say your name and why you're calling." */
    says: spoken,
    /** What the assistant says once it heard the caller, before passing the call on. */
    thanks: spoken.default('Thanks, please stay on the line.'),
    /** Longest wait for the caller's answer before passing the call on anyway (ms). */
    listenMs: z.number().int().min(2000).max(60_000).default(15_000),
    then: nodeName,
  })
  .strict();

const topic = z.enum(TOPICS);

const person = z
  .object({
    kind: z.literal('person'),
    /** First words on picking up ("Front desk, this is Anna."). Default: a plain hello. */
    greeting: spoken.optional(),
    /** A second voice: flite's slt at another pitch (Hz of the mean f0; slt's own is about 170). */
    pitchHz: z.number().int().min(80).max(300).optional(),
    /** Her own facts instead of the persona's (the manager who knows the prices). */
    facts: factsSchema.optional(),
    /** Per topic, what she says instead of the answer ("we don't give prices over the phone"). */
    refuses: z
      .array(z.object({ topic, says: spoken, website: z.string().trim().min(3).max(100).optional() }).strict())
      .max(3)
      .default([]),
    /** "Call back after two and ask for Mike": said instead of answering these topics. */
    callback: z
      .object({ topics: z.array(topic).min(1), says: spoken })
      .strict()
      .optional(),
    /** "Let me transfer you to the manager": said when asked about one of `topics`, then the call goes `to`. */
    transfer: z
      .object({ topics: z.array(topic).min(1), says: spoken, to: nodeName })
      .strict()
      .optional(),
    /** Wrong number, not a gym: what she says to any question; she never gives a fact. */
    notTheGym: spoken.optional(),
  })
  .strict();

export const flowNode = z.discriminatedUnion('kind', [menu, recording, hold, voicemail, screening, person]);

export const flowSchema = z
  .object({
    start: nodeName,
    nodes: z.record(nodeName, flowNode),
  })
  .strict();

export type Flow = z.infer<typeof flowSchema>;
export type FlowNode = z.infer<typeof flowNode>;
export type MenuNode = z.infer<typeof menu>;
export type HoldNode = z.infer<typeof hold>;
export type VoicemailNode = z.infer<typeof voicemail>;
export type ScreeningNode = z.infer<typeof screening>;
export type PersonNode = z.infer<typeof person>;
export type RecordingNode = z.infer<typeof recording>;

/** Graph checks zod cannot express: every name points at a node, keys do not repeat, a person can be reached. */
export function flowProblems(f: Flow): string[] {
  const out: string[] = [];
  const names = new Set(Object.keys(f.nodes));
  const ref = (where: string, to: string) => {
    if (to !== 'hangup' && !names.has(to)) out.push(`${where}: no node named "${to}"`);
  };
  ref('flow.start', f.start);
  for (const [name, n] of Object.entries(f.nodes)) {
    const at = `flow.nodes.${name}`;
    if (n.kind === 'menu') {
      const keys = new Set<string>();
      [...n.options, ...n.unlisted].forEach((o, i) => {
        if (keys.has(o.key)) out.push(`${at}: key ${o.key} is used twice`);
        keys.add(o.key);
        ref(`${at}.${i < n.options.length ? `options[${i}]` : `unlisted[${i - n.options.length}]`}.to`, o.to);
      });
      ref(`${at}.timeout`, n.timeout);
    } else if (n.kind === 'recording' || n.kind === 'hold' || n.kind === 'screening') ref(`${at}.then`, n.then);
    else if (n.kind === 'person' && n.transfer) ref(`${at}.transfer.to`, n.transfer.to);
  }
  if (out.length > 0) return out;
  const reach = reachable(f);
  for (const name of names) if (!reach.has(name)) out.push(`flow.nodes.${name}: cannot be reached from flow.start`);
  return out;
}

/** Nodes reachable from `start` by any key, timeout, transfer or `then`. */
export function reachable(f: Flow): Set<string> {
  const seen = new Set<string>();
  const todo = [f.start];
  while (todo.length > 0) {
    const name = todo.pop() as string;
    const n = f.nodes[name];
    if (seen.has(name) || n === undefined) continue;
    seen.add(name);
    todo.push(...next(n));
  }
  return seen;
}

function next(n: FlowNode): string[] {
  switch (n.kind) {
    case 'menu':
      return [...n.options, ...n.unlisted].map((o) => o.to).concat(n.timeout);
    case 'recording':
    case 'hold':
    case 'screening':
      return [n.then];
    case 'person':
      return n.transfer ? [n.transfer.to] : [];
    case 'voicemail':
      return [];
  }
}

/** Every sentence the line can say, with where it is written (for the vocabulary check). */
export function flowSentences(f: Flow): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const [name, n] of Object.entries(f.nodes)) {
    const at = `flow.nodes.${name}`;
    const add = (k: string, text: string | undefined) => {
      if (text !== undefined) out.push({ where: `${at}.${k}`, text });
    };
    if (n.kind === 'menu') {
      add('intro', n.intro);
      add('invalid', n.invalid);
      n.options.forEach((o, i) => add(`options[${i}]`, optionSentence(o)));
    } else if (n.kind === 'recording') add('says', n.says);
    else if (n.kind === 'hold') add('announcement.says', n.announcement?.says);
    else if (n.kind === 'voicemail') add('greeting', n.greeting);
    else if (n.kind === 'screening') {
      add('says', n.says);
      add('thanks', n.thanks);
    } else {
      add('greeting', n.greeting);
      n.refuses.forEach((r, i) => add(`refuses[${i}].says`, r.says));
      add('callback.says', n.callback?.says);
      add('transfer.says', n.transfer?.says);
      add('notTheGym', n.notTheGym);
    }
  }
  return out;
}

const KEY_WORDS: Record<string, string> = {
  '0': 'zero',
  '1': 'one',
  '2': 'two',
  '3': 'three',
  '4': 'four',
  '5': 'five',
  '6': 'six',
  '7': 'seven',
  '8': 'eight',
  '9': 'nine',
  '*': 'star',
  '#': 'pound',
};

/** One menu option as a phone system says it, in the option's order. */
export function optionSentence(o: { key: string; label: string; order: 'label-first' | 'key-first' }): string {
  const k = KEY_WORDS[o.key] ?? o.key;
  return o.order === 'label-first' ? `For ${o.label}, press ${k}.` : `Press ${k} for ${o.label}.`;
}
