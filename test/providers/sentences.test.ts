import t from 'tap';
import { SentenceSplitter, replyEvents } from '../../src/providers/sentences.js';
import type { LlmChunk } from '../../src/providers/llm/types.js';
import { collect } from './helpers.js';

function splitAll(text: string, step = 1): string[] {
  const s = new SentenceSplitter();
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(...s.push(text.slice(i, i + step)));
  const rest = s.flush();
  if (rest) out.push(rest);
  return out;
}

t.test('sentences are cut as soon as complete, however the deltas are chunked', async (t) => {
  const text = 'Thanks! We open at 6 a.m. on weekdays. The monthly plan is $49.99 a month. Do you offer yoga?';
  const want = [
    'Thanks!',
    'We open at 6 a.m. on weekdays.',
    'The monthly plan is $49.99 a month.',
    'Do you offer yoga?',
  ];
  for (const step of [1, 2, 5, 17, 1000]) t.same(splitAll(text, step), want, `chunks of ${step}`);
});

t.test('a sentence end needs the following space (3. might be 3.5), so the piece waits', async (t) => {
  const s = new SentenceSplitter();
  t.same(s.push('It costs 3.'), []);
  t.same(s.push('5 dollars. Ok'), ['It costs 3.5 dollars.']);
  t.equal(s.flush(), 'Ok');
});

t.test('the first piece may end at a clause once long enough; later ones only when long', async (t) => {
  t.same(splitAll('Okay, and how much is a monthly membership at your gym, roughly?'), [
    'Okay, and how much is a monthly membership at your gym,',
    'roughly?',
  ]);
  t.same(splitAll('Great. And do you have classes, like yoga or spin?'), [
    'Great.',
    'And do you have classes, like yoga or spin?',
  ]);
});

t.test('closing quotes and brackets stay with their sentence', async (t) => {
  t.same(splitAll('They call it "The Pit." It is big. (Open late!) Ok.'), [
    'They call it "The Pit."',
    'It is big.',
    '(Open late!)',
    'Ok.',
  ]);
});

t.test('a run-on reply is cut at a space before maxChars', async (t) => {
  const s = new SentenceSplitter({ maxChars: 40 });
  const words = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen';
  const out = s.push(words + ' ');
  t.ok(out.length >= 1);
  for (const p of out) t.ok(p.length <= 40);
});

t.test('replyEvents: text becomes sentences, tool results pass through, the tail is flushed before done', async (t) => {
  async function* chunks(): AsyncGenerator<LlmChunk> {
    yield { type: 'text', delta: 'Got it, thanks. ' };
    yield { type: 'facts', facts: { classes: [{ name: 'yoga' }] } };
    yield { type: 'text', delta: 'Anything else' };
    yield { type: 'end-call', reason: 'facts-complete' };
    yield { type: 'done', finishReason: 'stop' };
  }
  t.same(await collect(replyEvents(chunks())), [
    { type: 'sentence', text: 'Got it, thanks.' },
    { type: 'facts', facts: { classes: [{ name: 'yoga' }] } },
    { type: 'end-call', reason: 'facts-complete' },
    { type: 'sentence', text: 'Anything else' },
    { type: 'done', finishReason: 'stop' },
  ]);
});
