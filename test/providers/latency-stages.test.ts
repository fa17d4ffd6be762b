import t from 'tap';
import { CallQuality } from '../../src/call/quality.js';

// The per-stage split of server-added time that bench:latency reports: consecutive, non-negative, summing to it.

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('stages of one reply sum to its server-added time', async (t) => {
  const q = new CallQuality('c1', () => 0);
  q.replyRequested();
  await tick(3);
  q.llmFirstChunk();
  await tick(1);
  q.synthRequested('u1');
  q.synthRequested('u2'); // a later sentence of the same reply: not the one the first frame waits for
  await tick(3);
  q.synthResolved('u2');
  q.synthResolved('u1');
  await tick(1);
  const added = q.firstAudio();
  const r = q.result('facts-complete', undefined, undefined);
  const s = r.serverStagesMs[0];
  t.ok(added !== undefined && s !== undefined);
  if (added === undefined || s === undefined) return;
  t.ok(s.llm >= 2 && s.toTts >= 0 && s.tts >= 2 && s.toFrame >= 0, JSON.stringify(s));
  t.ok(Math.abs(s.llm + s.toTts + s.tts + s.toFrame - added) < 1e-6, 'the stages add up');
  t.ok(Math.abs((r.serverOwnMs[0] ?? -1) - (s.toTts + s.toFrame)) < 1e-6, 'server-own = the non-provider stages');
});

t.test('a reply spoken without an LLM chunk or TTS request has zero-length provider stages', async (t) => {
  const q = new CallQuality('c2', () => 0);
  q.replyRequested();
  await tick(2);
  const added = q.firstAudio() ?? -1;
  const s = q.result('idle', undefined, undefined).serverStagesMs[0];
  t.same({ llm: s?.llm, toTts: s?.toTts, tts: s?.tts }, { llm: 0, toTts: 0, tts: 0 });
  t.equal(s?.toFrame, added);
});
