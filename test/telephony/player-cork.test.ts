import t from 'tap';
import { loadDsp } from '../../src/dsp/index.js';
import { OutboundPlayer, type OutboundSink } from '../../src/telephony/outbound-player.js';
import { waitFor } from '../support/wait.js';

// The player coalesces what it sends in one go (a run's lead, a frame and the mark after it) into one corked
// write; a sink without cork still gets every message.

function sink() {
  let batch = 0;
  let inCork = false;
  const log: { kind: 'media' | 'mark'; batch: number }[] = [];
  const s: OutboundSink = {
    sendMedia: () => (log.push({ kind: 'media', batch: inCork ? batch : -1 }), 'ok'),
    sendMark: () => (log.push({ kind: 'mark', batch: inCork ? batch : -1 }), 'ok'),
    sendClear: () => 'ok',
    backpressured: () => false,
    corked: (fn) => {
      const outer = !inCork;
      if (outer) batch++;
      inCork = true;
      try {
        fn();
      } finally {
        if (outer) inCork = false;
      }
    },
  };
  return { s, log };
}

async function* once(b: Uint8Array) {
  await Promise.resolve();
  yield b;
}

t.test('a run starts with its lead frames in one corked write; marks go with the frame before them', async (t) => {
  const { s, log } = sink();
  const p = new OutboundPlayer(s, loadDsp());
  const pcm = new Uint8Array(8000 * 2 * 0.6); // 600 ms at 8 kHz
  p.enqueue({ utteranceId: 'u', text: 'hello there', sampleRate: 8000, chunks: once(pcm) });
  await waitFor(() => log.filter((e) => e.kind === 'media').length >= 30, {
    timeoutMs: 3000,
    intervalMs: 20,
    what: 'all 30 frames',
  });
  t.equal(log.filter((e) => e.kind === 'media').length, 30, 'all 30 frames sent');
  t.ok(
    log.every((e) => e.batch > 0),
    'every message was sent inside a corked batch',
  );
  const first = log[0]?.batch;
  const lead = log.filter((e) => e.kind === 'media' && e.batch === first).length;
  t.ok(lead >= 8, `the lead (${lead} frames) left in one batch`);
  for (let i = 1; i < log.length; i++)
    if (log[i]?.kind === 'mark') t.equal(log[i]?.batch, log[i - 1]?.batch, `mark ${i} with its frame`);
  t.ok(log.filter((e) => e.kind === 'mark').length >= 2, 'marks were sent');
  p.close();
});
