import t from 'tap';
import { EventEmitter } from 'node:events';
import { Drain, type DrainState } from '../../src/ops/drain.js';
import { CallCapacity } from '../../src/ops/capacity.js';
import { CallSummaryCollector, logCallSummary } from '../../src/ops/call-summary.js';
import { createLogger } from '../../src/log.js';
import { Writable } from 'node:stream';

function setup(graceMs: number) {
  const cap = new CallCapacity({ max: 10, isDraining: () => drain.isDraining() });
  const exits: number[] = [];
  const steps: string[] = [];
  const drain: Drain = new Drain({
    graceMs,
    activeCalls: () => cap.active,
    whenIdle: () => cap.whenIdle(),
    abortCalls: async () => {
      steps.push(`abort:${cap.active}`);
      for (const id of ['a', 'b', 'c']) cap.release(id, 'shutdown');
    },
    shutdown: async ({ timedOut }) => void steps.push(`shutdown:${timedOut}`),
    exit: (c) => void exits.push(c),
  });
  const states: DrainState[] = [];
  drain.onStateChange((s) => states.push(s));
  return { cap, drain, exits, steps, states };
}

t.test('drain: not-ready at once, refuses new calls, waits for live calls, exits 0', async (t) => {
  const { cap, drain, exits, steps, states } = setup(5_000);
  cap.tryAdmit('a', 'inbound');
  cap.tryAdmit('b', 'outbound');
  t.equal(drain.isDraining(), false);
  const done = drain.start('SIGTERM');
  t.equal(drain.isDraining(), true, 'readiness false synchronously');
  t.equal(drain.state, 'draining');
  t.same(cap.tryAdmit('new', 'inbound'), { ok: false, reason: 'draining' });
  t.equal(drain.start('again'), done, 'idempotent');
  cap.release('a', 'goodbye');
  await new Promise((r) => setTimeout(r, 10));
  t.same(exits, [], 'still one live call');
  cap.release('b', 'goodbye');
  t.equal(await done, 0);
  t.same(exits, [0]);
  t.same(steps, ['shutdown:false'], 'no call aborted');
  t.same(states, ['draining', 'stopping', 'stopped']);
});

t.test('drain: grace period over → live calls ended, then exit 0', async (t) => {
  const { cap, drain, exits, steps } = setup(30);
  cap.tryAdmit('a', 'inbound');
  t.equal(await drain.start('SIGTERM'), 0);
  t.same(steps, ['abort:1', 'shutdown:true']);
  t.same(exits, [0]);
});

t.test('drain: no live calls → immediate shutdown', async (t) => {
  const { drain, exits } = setup(60_000);
  t.equal(await drain.start('SIGTERM'), 0);
  t.same(exits, [0]);
});

t.test('drain: a failing shutdown exits 1 and logs', async (t) => {
  const errors: unknown[] = [];
  const exits: number[] = [];
  const drain = new Drain({
    graceMs: 10,
    activeCalls: () => 0,
    whenIdle: async () => undefined,
    shutdown: async () => Promise.reject(new Error('db flush failed')),
    exit: (c) => void exits.push(c),
    log: { info: () => undefined, warn: () => undefined, error: (o: unknown) => void errors.push(o) } as never,
  });
  t.equal(await drain.start('SIGTERM'), 1);
  t.same(exits, [1]);
  t.equal(errors.length, 1);
});

t.test('drain: SIGTERM starts it; second SIGINT exits 130 at once', async (t) => {
  const { cap, drain, exits } = setup(60_000);
  const fake = new EventEmitter() as unknown as NodeJS.Process;
  const off = drain.installSignalHandlers(fake);
  cap.tryAdmit('a', 'inbound');
  fake.emit('SIGTERM');
  t.equal(drain.state, 'draining');
  fake.emit('SIGINT');
  t.same(exits, [130]);
  off();
  t.equal((fake as unknown as EventEmitter).listenerCount('SIGTERM'), 0, 'handlers removed');
  cap.release('a', 'goodbye');
  await drain.start('x');
});

t.test('call summary: counts and timings, no personal data, logged as one line', async (t) => {
  let now = 1000;
  const c = new CallSummaryCollector('call-123', 'outbound', () => now);
  c.providersUsed({ asr: 'deepgram', llm: 'openai', tts: 'elevenlabs' });
  for (const gap of [900, 300, 500, 700, 1200]) c.responseGap(gap);
  c.responseGap(Number.NaN);
  c.agentTurn(false);
  c.agentTurn(true);
  c.callerTurn();
  c.bargeIn(false);
  c.bargeIn(true);
  c.providerError();
  c.fallback('OpenAI TTS');
  c.factsKnown({ hoursDays: 7, plans: 2, classes: 3 });
  c.goodbye(true);
  now += 61_000;
  const s = c.end('Facts Complete');
  t.same(s.responseGapMs, { count: 5, p50: 700, p90: 1200, max: 1200 });
  t.same(s.providers, { asr: 'deepgram', llm: 'openai', tts: ['elevenlabs', 'openai_tts'] });
  t.equal(s.durationMs, 61_000);
  t.equal(s.endReason, 'facts_complete');
  t.equal(s.agentTurnsInterrupted, 1);
  t.equal(s.falseBargeIns, 1);
  t.equal(c.end('other'), s, 'first end wins');

  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
  logCallSummary(createLogger('info', sink).child({ callId: 'call-123' }), s);
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 1, 'exactly one line');
  const line = JSON.parse(lines[0] ?? '{}');
  t.equal(line.msg, 'call summary');
  t.equal(line.event, 'call.summary');
  t.equal(line.callId, 'call-123');
  t.equal(line.facts.plans, 2);
  t.notMatch(lines[0] ?? '', /\+\d{7,}/, 'no phone numbers');
});
