import { TOPIC_WORDS } from '../../machines/topic-words.js';
import { DAYS, type Topic } from '../facts/model.js';
import { DAY_NAMES } from '../facts/vocabulary.js';
import type { PersonNode } from './flow-schema.js';
import { factsOf } from './flow.js';
import type { Persona, PersonaFacts } from './persona.js';
import { classesSentence, hoursSentence, pricingSentence, Rng } from './phrasing.js';
import type { Language } from '../language/index.js';

// The receptionist's side of the conversation, as pure decisions: given what it recognised from the
// agent's audio, what does it say or do next. The runtime (receptionist.ts) supplies the recognised text
// and carries out the actions with real audio; tests drive this directly.

export type ReceptionistAction =
  | { type: 'say'; text: string; kind: 'answer' | 'filler' | 'small-talk' | 'backchannel' | 'interruption' }
  /** untilAgentSpeaks: the pause ends early when the agent starts talking (waiting for a re-prompt). */
  | { type: 'pause'; ms: number; untilAgentSpeaks?: boolean }
  | { type: 'cough' }
  | { type: 'dtmf'; digits: string }
  /**
   * She puts the caller through to another node of the line (after saying so). `graceMs`: she waits this long for
   * the caller to speak up first ("before you transfer me, …"), as people do; 0: at once.
   */
  | { type: 'transfer'; to: string; graceMs: number }
  | { type: 'hangup' };

export type Heard = { kind: 'ask'; topic: Topic } | { kind: 'goodbye' } | { kind: 'unknown' };

// Keyword spotting. Several topics may be named in one utterance (a greeting that lists everything it
// wants), so the topic whose keyword comes LAST wins: that is where the question usually is. The words are the
// topic lexicon's single words (machines/topic-words.ts) plus what these ears need besides: day names ("What about
// saturday and sunday?" asks for those days' hours), "much" (heard without its "how") and "offer".
const single = (phrases: readonly string[]) => phrases.filter((p) => !p.includes(' '));
const EAR_WORDS: Record<Topic, readonly string[]> = {
  hours: [
    ...single(TOPIC_WORDS.hours),
    ...DAYS.flatMap((d) => [DAY_NAMES[d], `${DAY_NAMES[d]}s`]),
    'weekend',
    'weekends',
    // Spanish ears hear folded words ("sabado"): "¿Y el sábado y el domingo?" asks for those days' hours too.
    ...['lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'sabados', 'domingo', 'domingos'],
  ],
  pricing: [...single(TOPIC_WORDS.pricing), 'much'],
  classes: [...single(TOPIC_WORDS.classes), 'offer'],
};
const BYE_WORDS = ['bye', 'goodbye', 'adios'];
/** How long she waits after "let me transfer you" before putting the call through. */
const TRANSFER_GRACE_MS = 2500;
const REPEAT_WORDS = ['sorry', 'again', 'repeat', 'perdon', 'disculpe', 'repetir', 'repetirlo'];
const THANKS_WORDS = ['thank', 'thanks', 'gracias'];
/** How long she waits for the agent to say again what she cut short before she answers what she heard. */
const REPEAT_WAIT_MS = 5000;

/** What she says herself besides her answers, in the language she speaks. */
interface BrainLines {
  hello: readonly string[];
  /** Picked up, said hello, and nobody answers. */
  helloAgain: string;
  /** After answering what the caller asked before the transfer. */
  transferNow: string;
  bye: readonly string[];
  whoIsThis: string;
  what: string;
  howCanIHelp: string;
  everything: string;
  dontKnow: readonly string[];
  thinking: readonly string[];
  backchannel: readonly string[];
}
const LINES: Readonly<Record<Language, BrainLines>> = {
  en: {
    // Short and in words the agent's recogniser knows: a hello it mishears could read as a fact.
    hello: ['Hello?', 'Hi, hello.', 'Hello, the gym.'],
    helloAgain: 'Hello?',
    transferNow: 'Okay, let me transfer you now.',
    bye: ['You too, bye.', 'Okay, bye bye.', 'No problem, bye.'],
    whoIsThis: 'Sorry, yes, hello, who is this?',
    what: 'Sorry, what was that?',
    howCanIHelp: 'Yes, how can I help?',
    everything: "I think that's everything.",
    dontKnow: ["Sorry, I don't know that.", "I'm not sure about that."],
    thinking: ['Let me see, um', 'Uh, let me check, so', 'Okay, so, um'],
    backchannel: ['okay', 'right', 'yeah', 'hmm'],
  },
  es: {
    hello: ['¿Bueno?', 'Hola, buenas tardes.', 'Gimnasio, dígame.'],
    helloAgain: '¿Bueno?',
    transferNow: 'Bueno, ahora le transfiero.',
    bye: ['Igualmente, adiós.', 'Bueno, adiós.', 'De nada, adiós.'],
    whoIsThis: 'Perdón, sí, hola, ¿quién habla?',
    what: 'Perdón, ¿cómo dice?',
    howCanIHelp: 'Sí, ¿en qué le puedo ayudar?',
    everything: 'Creo que eso es todo.',
    dontKnow: ['Perdón, eso no lo sé.', 'No estoy segura de eso.'],
    thinking: ['A ver, este', 'Déjeme ver, pues', 'Bueno, este'],
    backchannel: ['ajá', 'sí', 'claro', 'bueno'],
  },
};

export function understand(text: string): Heard {
  const words = text
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const lastIndex = (keys: readonly string[]) => {
    for (let i = words.length - 1; i >= 0; i--) if (keys.includes(words[i]!)) return i;
    return -1;
  };
  let best: { topic: Topic; at: number } | undefined;
  for (const [topic, keys] of Object.entries(EAR_WORDS) as [Topic, readonly string[]][]) {
    const at = lastIndex(keys);
    if (at >= 0 && (!best || at > best.at)) best = { topic, at };
  }
  // Recognition of the agent is noisy: a stray "bye" inside a question must not end the call, so a goodbye
  // counts only when it comes after the last topic word.
  const bye = lastIndex(BYE_WORDS);
  if (bye >= 0 && bye > (best?.at ?? -1)) return { kind: 'goodbye' };
  if (best) return { kind: 'ask', topic: best.topic };
  if (lastIndex(THANKS_WORDS) >= 0) return { kind: 'goodbye' };
  return { kind: 'unknown' };
}

export class ReceptionistBrain {
  private readonly rng: Rng;
  private callerTurns = 0;
  private answered = new Set<Topic>();
  private silencedOnce = false;
  private dtmfDone = false;
  private agentUtterances = 0;
  private unknownStreak = 0;
  /**
   * She cut the agent short to have it say that again (`asked`): what it said before it stopped is not its
   * question, and she waits for the repeat (`waiting`; afterSilence: it did not come).
   */
  private repeat: 'none' | 'asked' | 'waiting' = 'none';
  private hungUp = false;
  private lastTopics: readonly Topic[] = [];
  /** The node she said she would transfer the caller to, while she hears out the caller's question first. */
  private pendingTransfer: string | undefined;
  private readonly facts: PersonaFacts;
  private readonly lines: BrainLines;

  /** `person`: who she is on the persona's line (her facts, refusals, callback, transfer); default the desk. */
  constructor(
    private readonly persona: Persona,
    private readonly person?: PersonNode,
  ) {
    this.rng = new Rng(person ? `${persona.name}:${person.greeting ?? ''}` : persona.name);
    this.facts = person ? factsOf(person, persona.facts) : persona.facts;
    this.lines = LINES[persona.language];
  }

  get turns(): number {
    return this.callerTurns;
  }

  /** The callee picks up an outbound call and speaks first. */
  opening(): ReceptionistAction[] {
    // She picks up in the call's language (a switch persona answers in hers afterwards).
    const opening = LINES[this.persona.callLanguage ?? this.persona.language].hello;
    const hello = this.person?.greeting ?? this.rng.pick(opening);
    return this.turn([{ type: 'say', kind: 'small-talk', text: hello }]);
  }

  /** She answered and the line stayed silent: hello again. */
  helloAgain(): ReceptionistAction[] {
    return this.turn([{ type: 'say', kind: 'small-talk', text: this.lines.helloAgain }]);
  }

  /** Called when the agent starts an utterance: things the persona does while the agent talks. */
  whileAgentSpeaks(): { afterMs: number; action: ReceptionistAction }[] {
    const b = this.persona.behaviour;
    const first = this.agentUtterances === 0;
    this.agentUtterances++;
    const out: { afterMs: number; action: ReceptionistAction }[] = [];
    if (this.hungUp) return out;
    if (first && b.bargeInDuringGreeting) {
      out.push({ afterMs: 900, action: { type: 'say', kind: 'small-talk', text: this.lines.whoIsThis } });
      return out;
    }
    const cut = b.interruptAgent;
    if (cut !== null && this.agentUtterances === cut.utterance) {
      out.push({ afterMs: cut.afterMs, action: { type: 'say', kind: 'interruption', text: this.lines.what } });
      return out;
    }
    // Backchannels and coughs only on the agent's later, longer turns, and not on every one.
    if (!first && b.backchannelDuringAgentSpeech && this.agentUtterances % 2 === 0)
      out.push({
        afterMs: 700,
        action: { type: 'say', kind: 'backchannel', text: this.rng.pick(this.lines.backchannel) },
      });
    if (!first && b.coughDuringAgentSpeech && this.agentUtterances % 2 === 1)
      out.push({ afterMs: 600, action: { type: 'cough' } });
    return out;
  }

  /** The caller spoke up before she put the call through: she hears the question out first. */
  deferTransfer(to: string): void {
    this.pendingTransfer = to;
  }

  /** She said `action` over the agent (whileAgentSpeaks' timing came while it was still talking). */
  saidOverAgent(action: ReceptionistAction): void {
    if (action.type === 'say' && action.kind === 'interruption') this.repeat = 'asked';
  }

  /** What to do after the agent finished an utterance that was recognised as `text`. */
  onAgentUtterance(text: string): ReceptionistAction[] {
    if (this.hungUp) return [];
    const asked = this.repeat === 'asked';
    this.repeat = asked ? 'waiting' : 'none';
    // "Sorry, what was that?": a person waits for the agent to say it again, and does not answer the half
    // sentence it stopped in (the agent's "Got it, thanks. What ab—" is not a thank-you to say goodbye to).
    // If it says nothing, she asks once more.
    if (asked) return [{ type: 'pause', ms: REPEAT_WAIT_MS, untilAgentSpeaks: true }];
    const heard = understand(text);
    const to = this.pendingTransfer;
    if (to !== undefined) {
      // Answers what she knows of the question, then puts the call through as she said she would.
      this.pendingTransfer = undefined;
      const own = heard.kind === 'ask' && !this.person?.transfer?.topics.includes(heard.topic);
      return [
        ...(own ? this.answer([heard.topic]) : []),
        { type: 'say', kind: 'small-talk', text: this.lines.transferNow },
        { type: 'transfer', to, graceMs: 0 },
      ];
    }
    const words = text.toLowerCase().split(/[^a-z']+/);
    const b = this.persona.behaviour;
    if (heard.kind === 'goodbye') {
      return this.turn([
        {
          type: 'say',
          kind: 'small-talk',
          text: this.rng.pick(this.lines.bye),
        },
      ]);
    }
    if (heard.kind === 'unknown' && this.lastTopics.length > 0 && REPEAT_WORDS.some((w) => words.includes(w))) {
      // "Sorry … could you say that again?": a person says their last answer again.
      this.unknownStreak = 0;
      return this.answer(this.lastTopics);
    }
    if (heard.kind === 'unknown') {
      this.unknownStreak++;
      // A person who did not catch the question asks once, then just tells what the caller most likely wants.
      if (this.unknownStreak === 1 && this.answered.size > 0)
        return this.turn([{ type: 'say', kind: 'small-talk', text: this.lines.what }]);
      if (this.answered.size === 0 && this.unknownStreak === 1)
        return this.turn([{ type: 'say', kind: 'small-talk', text: this.lines.howCanIHelp }]);
      const next = (['hours', 'pricing', 'classes'] as const).find((t) => !this.answered.has(t) && this.knows(t));
      this.unknownStreak = 0;
      if (!next) return this.turn([{ type: 'say', kind: 'small-talk', text: this.lines.everything }]);
      return this.answer([next]);
    }
    this.unknownStreak = 0;
    if (b.silentOnceMs > 0 && !this.silencedOnce) {
      // Say nothing: the agent should re-prompt. The runtime answers after silentOnceMs if it does not.
      this.silencedOnce = true;
      return [{ type: 'pause', ms: b.silentOnceMs, untilAgentSpeaks: true }];
    }
    const topics: Topic[] = b.volunteerAllAtOnce
      ? (['hours', 'pricing', 'classes'] as const).filter((t) => this.knows(t))
      : [heard.topic];
    return this.answer(topics);
  }

  /** The persona's answer when it stayed silent on purpose and the agent did not re-prompt. */
  afterSilence(lastText: string): ReceptionistAction[] {
    if (this.repeat === 'waiting') {
      this.repeat = 'none';
      return this.turn([{ type: 'say', kind: 'small-talk', text: this.lines.what }]);
    }
    return this.onAgentUtterance(lastText);
  }

  private knows(t: Topic): boolean {
    const f = this.facts;
    return t === 'hours' ? f.hours.length > 0 : t === 'pricing' ? f.pricing.length > 0 : f.classes.length > 0;
  }

  private answer(topics: readonly Topic[]): ReceptionistAction[] {
    const f = this.facts;
    const b = this.persona.behaviour;
    const sentences: string[] = [];
    this.lastTopics = topics;
    const who = this.person;
    // The persona's own words for a topic (the desk's only: a second person on the line speaks from her facts).
    const own = who === undefined ? this.persona.says : undefined;
    if (who?.notTheGym !== undefined) return this.turn([{ type: 'say', kind: 'answer', text: who.notTheGym }]);
    const handOver = who?.transfer && topics.find((t) => who.transfer?.topics.includes(t));
    if (who?.transfer && handOver !== undefined)
      return this.turn([
        { type: 'say', kind: 'answer', text: who.transfer.says },
        { type: 'transfer', to: who.transfer.to, graceMs: TRANSFER_GRACE_MS },
      ]);
    for (const t of topics) {
      this.answered.add(t);
      const refusal = who?.refuses.find((r) => r.topic === t);
      if (refusal) sentences.push(refusal.says);
      else if (who?.callback?.topics.includes(t)) sentences.push(who.callback.says);
      else if (!this.knows(t)) sentences.push(this.rng.pick(this.lines.dontKnow));
      else if (own?.[t] !== undefined) sentences.push(own[t]);
      else if (t === 'hours') sentences.push(hoursSentence(f.hours, this.rng));
      else if (t === 'pricing') sentences.push(pricingSentence(f.pricing, this.rng));
      else sentences.push(classesSentence(f.classes, this.rng));
    }
    const actions: ReceptionistAction[] = [];
    if (b.dtmf && !this.dtmfDone) {
      this.dtmfDone = true;
      actions.push({ type: 'dtmf', digits: b.dtmf });
    }
    if (b.thinkingPauseMs > 0) {
      actions.push({
        type: 'say',
        kind: 'answer',
        text: this.rng.pick(this.lines.thinking),
      });
      actions.push({ type: 'pause', ms: b.thinkingPauseMs });
    }
    // One callback sentence for every deferred topic, not one each.
    actions.push({ type: 'say', kind: 'answer', text: [...new Set(sentences)].join(' ') });
    return this.turn(actions);
  }

  /** Every spoken reply is one caller turn; hangUpAfterTurn ends the call right after that turn. */
  private turn(actions: ReceptionistAction[]): ReceptionistAction[] {
    this.callerTurns++;
    const limit = this.persona.behaviour.hangUpAfterTurn;
    if (limit !== null && this.callerTurns >= limit) {
      this.hungUp = true;
      actions.push({ type: 'pause', ms: 400 }, { type: 'hangup' });
    }
    return actions;
  }
}
