import t from 'tap';
import { asksToHearAgain } from '../../machines/hear-again.js';
import {
  callerWantsToEnd,
  endsSentence,
  isBackchannelOnly,
  isCompleteUtterance,
  isGoodbye,
  isGreeting,
  normalize,
  pickFresh,
  questionTopics,
  realWords,
} from '../../machines/text.js';

t.test('utterance completeness drives the endpoint wait', async (t) => {
  for (const s of [
    "We're open six to ten.",
    'yoga and pilates',
    'forty nine a month',
    'six',
    'We are closed on Sundays',
  ])
    t.ok(isCompleteUtterance(s), `complete: ${s}`);
  for (const s of [
    'We open at six and',
    'um',
    "it's",
    'we have yoga, pilates, spin,',
    'yoga, pilates, spin',
    'from six to',
    'let me check',
    'so, uh',
    '',
  ])
    t.notOk(isCompleteUtterance(s), `incomplete: ${s}`);
});

t.test("a sentence closed by the recogniser's punctuation, not an abbreviation's period", async (t) => {
  for (const s of [
    'We open at six.',
    'Forty nine a month!',
    'Who is this?',
    'No.',
    'We close at 10 p.m. on Sundays.',
    '"Yes."',
  ])
    t.ok(endsSentence(s), `ends a sentence: ${s}`);
  for (const s of [
    'We open at six',
    'We open at...',
    'We open at 6 a.m.',
    'yoga, spin,',
    'Ask Dr.',
    'we open at six…',
    '',
  ])
    t.notOk(endsSentence(s), `does not: ${s}`);
});

t.test('backchannels are not words that take the turn', async (t) => {
  for (const s of ['uh-huh', 'uh huh', 'mm-hmm', 'okay', 'yeah right', 'Got it.', 'mhm okay'])
    t.ok(isBackchannelOnly(s), `backchannel: ${s}`);
  t.notOk(isBackchannelOnly(''), 'silence is not a backchannel');
  t.same(realWords('okay so we open at six'), ['so', 'we', 'open', 'at', 'six']);
  t.equal(realWords('uh-huh yeah').length, 0);
});

t.test('question topics, greetings, goodbyes', async (t) => {
  t.same(questionTopics('What are your opening hours?'), ['hours']);
  t.same(questionTopics('And how much does a membership cost?'), ['pricing']);
  t.same(questionTopics('Do you offer any classes?'), ['classes']);
  t.same(questionTopics('We are open until ten.'), [], 'a statement asks nothing');
  t.ok(isGreeting("Hi, I'm an automated assistant calling about your gym."));
  t.notOk(isGreeting('Thanks, that helps.'));
  t.ok(isGoodbye('Thanks so much, goodbye!'));
  t.ok(isGoodbye('Have a great day.'));
  t.notOk(isGoodbye('What about classes?'));
  t.ok(callerWantsToEnd('sorry I have to go, bye'));
  t.notOk(callerWantsToEnd('we open at six'));
});

t.test('duplicates compare words, not punctuation or case', async (t) => {
  t.equal(normalize('Thanks!  That helps.'), normalize('thanks, that helps'));
  t.equal(pickFresh(['A one.', 'B two.'], normalize('a one')), 'B two.');
  t.equal(pickFresh(['A one.', 'B two.'], ''), 'A one.');
});

t.test('asking to hear it again: phrases of asking, or nothing but such words', async (t) => {
  for (const x of [
    'Sorry, what was that?',
    'what was that again, please?',
    'sorry?',
    "I'm sorry?",
    'Wait, what?',
    'What?',
    "Sorry, what's that?",
    "I didn't catch that",
    'Sorry, you cut out',
    'could you repeat the question',
    'Pardon?',
    'I beg your pardon?',
    '¿Cómo dice?',
    '¿Mande?',
    '¿Disculpe?',
    'Perdón, ¿cómo?',
    'No le entendí',
    'No le oigo bien',
    '¿Me repite?',
  ])
    t.ok(asksToHearAgain(x), x);
  for (const x of [
    "Sorry, we don't give prices over the phone",
    'What classes? We have yoga.',
    "we're open till ten",
    'sorry about that, we open at six',
    'Pardon our noise, we open at six',
    'Pardon me, one moment',
    'Sorry, what was that regarding?',
    'What did you say your name was?',
    '¿Otra vez usted?',
    'you can come again tomorrow',
    'excuse me one moment',
  ])
    t.notOk(asksToHearAgain(x), x);
});
