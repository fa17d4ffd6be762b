import type { Topic } from '../facts/model.js';
import { sayDays } from '../facts/say.js';
import type { LanguagePack } from './pack.js';

// English: the agent's original lines, word for word.

const listed = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;

const TOPIC_NAMES: Record<Topic, string> = { hours: 'hours', pricing: 'prices', classes: 'classes' };

export const en: LanguagePack = {
  language: 'en',
  questions: {
    hours: 'What are your opening hours?',
    pricing: 'How much does a membership cost?',
    classes: 'What fitness classes do you offer?',
  },
  topicNames: TOPIC_NAMES,
  list: listed,
  introduction(direction, name, about, askFor) {
    const calling = askFor === undefined ? 'calling' : `calling back for ${askFor}`;
    return direction === 'outbound'
      ? `Hi, is this ${name ?? 'the gym'}? I'm an automated assistant ${calling} with a few quick questions about your ${about}.`
      : `Hi, thanks for calling! I'm an automated assistant collecting the ${about} ${name === undefined ? 'of your gym' : `for ${name}`}.`;
  },
  callingBackFor: (askFor) => `I'm calling back for ${askFor}.`,
  reprompt(n, topic) {
    const about = topic === undefined ? '' : ` I was asking about your ${TOPIC_NAMES[topic]}.`;
    return n <= 1 ? `Are you still there?${about}` : `Sorry, I can't hear anything. Are you still there?${about}`;
  },
  holdingLines: ['One moment, please.', 'Just a second.'],
  apologyLines: ['Sorry, I missed that. Could you say it again?', 'Sorry, could you repeat that?'],
  clarifyLines: ['Could you tell me a bit more?', 'Sorry, could you say that another way?'],
  goodbye(reason) {
    switch (reason) {
      case 'facts-complete':
        return "That's everything I needed. Thank you so much for your help, goodbye!";
      case 'max-duration':
        return "I'm sorry, I have to wrap up now. Thank you for your time, goodbye!";
      case 'idle':
        return "I'll try again another time. Thank you, goodbye!";
      case 'error':
        return "I'm sorry, I'm having technical trouble. I'll call back later. Goodbye!";
      default:
        return 'Thank you for your time, goodbye!';
    }
  },
  digits: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
  theGym: 'the gym',
  screening: (gym) =>
    `This is an automated assistant calling ${gym} with a quick question about opening hours, prices and classes.`,
  reintroduction: (gym) => `Hi, I'm an automated assistant calling ${gym} about its hours, prices and classes.`,
  voicemail: (gym, number) => [
    `Hi, this is an automated assistant calling ${gym} about your opening hours, membership prices and classes.`,
    number === undefined ? "We'll try again another time." : `Please call us back at ${number}.`,
    'Thank you, goodbye!',
  ],
  recordingNotice: 'This call is recorded.',
  interviewer: {
    question: {
      hours: 'What are your opening hours?',
      pricing: 'And how much does a membership cost?',
      classes: 'Which fitness classes do you offer?',
    },
    clarify: {
      hours: "Sorry, I didn't quite catch your opening hours. Could you say them again, day by day?",
      pricing: "Sorry, I didn't quite catch the membership price. Could you say it again, in dollars?",
      classes: "Sorry, I didn't quite catch which classes you offer. Could you name a few of them again?",
    },
    reprompt: {
      hours: 'Are you still there? I was asking about your opening hours.',
      pricing: 'Are you still there? I was asking what a membership costs.',
      classes: 'Are you still there? I was asking which classes you offer.',
    },
    stillThere: 'Are you still there?',
    otherDays: (days) => `What about ${sayDays(days)}?`,
    otherDaysAsked: /^what about [a-z ,]+\?$/i,
    acks: ['Great, thank you.', 'Got it, thanks.', 'Perfect.', 'Thanks, that helps.'],
    goodbyeDone: "Thank you so much, that's everything I needed. Have a great day, goodbye!",
    goodbyePartial: 'Thank you for your time, that was very helpful. Have a great day, goodbye!',
    goodbyeCaller: 'Of course, thanks for your time. Goodbye!',
    changed: {
      hours: 'Oh, so the opening hours have changed. What are they now?',
      pricing: 'Oh, so the membership price has changed. What is it now?',
      classes: 'Oh, so the classes have changed. Which ones do you run now?',
    },
    greeting: (direction, about, forWhom) =>
      direction === 'outbound'
        ? `Hi! This is an automated assistant calling${forWhom === undefined ? '' : ` for ${forWhom}`} with a few quick questions about ${about}.`
        : `Hi, thanks for calling! I'm an automated assistant collecting information about ${about}.`,
    yourGym: 'your gym',
    outcome: {
      'wrong-number': 'Sorry to have bothered you. Have a good day, goodbye!',
      'not-a-gym': 'Sorry, I was looking for a gym. Have a good day, goodbye!',
      'permanently-closed': "I'm sorry to hear that. Thank you for letting me know, goodbye!",
      'do-not-call': "Of course, we won't call you again. Sorry for the trouble, goodbye!",
    },
    callback: (person) =>
      `Thank you, I'll call back then${person === undefined ? '' : ` and ask for ${person}`}. Goodbye!`,
    refusalAck: 'No problem, I understand.',
    beforeTransfer: (question) => `Sure, before you transfer me, one quick question. ${question}`,
    holdForTransfer: "Thank you. Go ahead and transfer me, I'll hold.",
    no: ['no', 'nope', 'not', 'changed', 'anymore', 'different', "isn't", "aren't", "don't"],
    yes: ['yes', 'yeah', 'yep', 'yup', 'correct', 'right', 'still', 'sure', 'exactly', 'absolutely', 'same', 'uh huh'],
    unchanged: [
      'nothing changed',
      'nothing has changed',
      "nothing's changed",
      "hasn't changed",
      "haven't changed",
      'not changed',
      'no change',
      'no changes',
      'same as before',
    ],
    corrections: ['actually', 'i mean', 'i meant', 'sorry', 'correction', 'misspoke', 'scratch that', 'wait'],
  },
  promptRule: 'Speak English.',
};
