import t from 'tap';
import { optionSentence } from '../../src/demo/flow-schema.js';
import { offlineHearing } from './hearing.js';

// The phone line's words reach the agent offline: menu options said in both orders by the receptionist's voice,
// through μ-law, are recognised with their key (the number word after "press" is the one the menu said), and the
// hold and voicemail cues come through. A floor under what was measured, with every miss in the comments.

const KEY_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

const OPTIONS = [
  { key: '1', label: 'billing', order: 'label-first' },
  { key: '2', label: 'membership and sales', order: 'label-first' },
  { key: '3', label: 'careers', order: 'key-first' },
  { key: '0', label: 'the front desk', order: 'key-first' },
  { key: '4', label: 'member services', order: 'label-first' },
] as const;

const CUES = [
  ['please stay on the line', ['stay', 'line']],
  ['your call is important to us', ['call', 'important']],
  ['please leave a message after the tone', ['leave', 'message', 'tone']],
  ['the mailbox is full', ['mailbox', 'full']],
] as const;

t.test("menu options and the line's cues are heard by the offline recogniser", async (t) => {
  const heard = await offlineHearing(t);
  const hear = async (text: string): Promise<string[]> => (await heard(text)).split(/\s+/);
  let keysRight = 0;
  for (const o of OPTIONS) {
    const said = optionSentence(o);
    const words = await hear(said);
    const at = words.indexOf('press');
    const heardKey = at >= 0 ? words[at + 1] : undefined;
    const right = heardKey === KEY_WORDS[Number(o.key)];
    if (right) keysRight++;
    t.comment(`said: ${said}  heard: ${words.join(' ')}`);
  }
  // Measured 3/5 (04:55 UTC, slt through μ-law, open grammar): "press one" and "press zero" came out as "press two";
  // 5/5 (07:35 UTC) with the readings of "one" and "zero" in EXTRA_PRONUNCIATIONS.
  t.ok(keysRight >= 4, `the key heard after "press" in ${keysRight}/${OPTIONS.length} options`);
  let cuesRight = 0;
  for (const [said, want] of CUES) {
    const words = await hear(said);
    const right = want.every((w) => words.includes(w));
    if (right) cuesRight++;
    t.comment(`said: ${said}  heard: ${words.join(' ')}${right ? '' : '  (missed)'}`);
  }
  // Measured 3/4: "the mailbox is full" comes out as "the mailbox is say all".
  t.ok(cuesRight >= 3, `hold and voicemail cues heard in ${cuesRight}/${CUES.length}`);
});
