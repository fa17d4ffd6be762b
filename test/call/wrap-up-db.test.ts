import t from 'tap';
import { CallRecorder } from '../../src/db/recorder.js';
import { readNormalisedCallFacts } from '../../src/db/normalise.js';
import { getTurns } from '../../src/db/repositories/turns.js';
import { WriteQueue } from '../../src/db/write-queue.js';
import { createLogger } from '../../src/log.js';
import { backends } from '../db/helpers/backends.js';
import { startCall } from './wrap-up-harness.js';

// The wrap-up's facts reach the database through the same recorder path as a reply's, before the call's end is
// written, so whoever reads the call after its end (the demo, the scenario suite) finds them. Both backends.

const log = createLogger('silent');
const HOURS = 'monday through friday we are open from seven a.m. to nine p.m.';

t.test('hang-up during the end-of-turn wait: the facts are in the database when the call has ended', async (t) => {
  for (const b of await backends(t)) {
    t.test(b.name, async (t) => {
      await b.reset();
      const queue = new WriteQueue(b.pool);
      t.teardown(() => queue.close());
      const callId = `wrap-up-${b.name}`;
      const h = startCall({ log, recorder: new CallRecorder(queue), callId });
      await h.waitForState('turn.listening', 'the greeting to play');
      await h.callerSays(HOURS);
      h.session.onEnd('stop');
      await h.ended;
      t.ok(await queue.drain(10_000), 'writes settled');

      const facts = await readNormalisedCallFacts(b.pool, callId);
      t.same(
        facts.hours,
        Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, { opens: '07:00', closes: '21:00' }])),
      );
      const turns = await getTurns(b.pool, callId);
      t.same(
        turns.filter((x) => x.speaker === 'caller').map((x) => x.text),
        [HOURS],
        'the transcript has the words',
      );
      const row = await b.pool.query<{ end_reason: string }>('SELECT end_reason FROM calls WHERE id = $1', [callId]);
      t.equal(row.rows[0]?.end_reason, 'caller-hangup');
    });
  }
});
