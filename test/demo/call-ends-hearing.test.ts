import t from 'tap';
import { isNotAGym, isPermanentlyClosed, isWrongNumber } from '../../src/situations/cues.js';
import { offlineHearing } from './hearing.js';

// The lines that end a call with an outcome of their own (not a gym, closed for good, wrong number), said by the
// receptionist's voice through μ-law and recognised on the open grammar, reach their cue (cues.ts). Without their
// phrases in the grammar the decoder fitted other words to them ("this gym has close uh permanently", "no visit not
// is can this to the try name business") and both personas ended as `partial`.

const SAID: [string, (text: string) => boolean][] = [
  ['This gym has closed permanently.', isPermanentlyClosed],
  ['We closed for good last year.', isPermanentlyClosed],
  ['Sorry, we went out of business.', isPermanentlyClosed],
  ['No, this is not a gym. This is a private business.', isNotAGym],
  ["We're not a gym, this is a dental office.", isNotAGym],
  ['I think you have the wrong number.', isWrongNumber],
];

// Each is heard in the open grammar and in the steps a gym says it in: the answer to the greeting, whose question
// is the first topic's ("Hi, is this Northside Gym? ... What are your opening hours?"), and a later question's.
for (const ctx of ['open', 'hours', 'pricing'] as const) {
  t.test(`the lines that end a call are heard by the offline recogniser (${ctx} step)`, async (t) => {
    const hear = await offlineHearing(t, ctx);
    let heard = 0;
    for (const [said, cue] of SAID) {
      const text = await hear(said);
      const right = cue(text);
      if (right) heard++;
      t.comment(`said: ${said}  heard: ${text}${right ? '' : '  (missed)'}`);
    }
    t.ok(heard >= SAID.length - 1, `heard as said in ${heard}/${SAID.length}`);
  });
}
