// Seed data shared by the read-side tests: three calls, one of them with hostile text.
import type { CallRecorder } from '../../src/db/recorder.js';

export const XSS = '<script>alert("x")</script> & "Bob\'s" Gym';

export async function seed(recorder: CallRecorder): Promise<void> {
  const a = recorder.begin({
    callId: 'call-a',
    direction: 'outbound',
    gymName: 'Iron Temple',
    phoneNumber: '+15550001111',
    twilioCallSid: 'CAaaaa',
    status: 'queued',
    at: '2026-02-01T09:00:00Z',
    providers: { asr: 'offline', llm: 'offline', tts: 'flite' },
  });
  a.status('in-progress', '2026-02-01T09:00:04Z', { answeredBy: 'human' });
  a.agentTurn({
    text: "Hi! I'm calling to ask about your opening hours and prices.",
    heardText: "Hi! I'm calling to ask",
    interrupted: true,
    startMs: 0,
    endMs: 1400,
    latency: { firstAudioMs: 180 },
    at: '2026-02-01T09:00:06Z',
  });
  a.callerTurn({
    text: "we're open five a m to eleven p m monday through friday",
    confidence: 0.87,
    startMs: 1200,
    endMs: 4000,
    at: '2026-02-01T09:00:09Z',
  });
  a.agentTurn({
    text: 'Great, thank you. How much is a monthly membership?',
    heardText: 'Great, thank you. How much is a monthly membership?',
    interrupted: false,
    startMs: 4420,
    endMs: 7000,
    // As the session stores it: the live-measured response gap and the server's share of it.
    latency: { endOfTurnToFirstAudioMs: 210, responseGapMs: 420 },
    at: '2026-02-01T09:00:12Z',
  });
  a.facts(
    {
      hours: {
        mon: { opens: '05:00', closes: '23:00' },
        tue: { opens: '05:00', closes: '23:00' },
        sun: { closed: true },
      },
      pricing: [{ plan: 'monthly', amountMinor: 4900, currency: 'USD', period: 'month' }],
      classes: [{ name: 'Yoga' }, { name: 'Spin' }],
    },
    '2026-02-01T09:00:30Z',
  );
  await a.ended({
    reason: 'facts-complete',
    // The call summary's shape (src/call/session.ts): gap percentiles over the call, server-added time per reply.
    latency: { responseGapMs: { count: 2, p50: 420, p90: 610, max: 610 }, serverAddedMs: [210, 350] },
    at: '2026-02-01T09:01:00Z',
  });

  const b = recorder.begin({
    callId: 'call-b',
    direction: 'outbound',
    gymName: 'Flex Hub',
    phoneNumber: '+15550002222',
    status: 'queued',
    at: '2026-02-03T10:00:00Z',
  });
  await b.status('busy', '2026-02-03T10:00:10Z');

  const c = recorder.begin({ callId: 'call-c', direction: 'inbound', gymName: XSS, at: '2026-02-05T11:00:00Z' });
  c.callerTurn({ text: XSS, confidence: 0.5, startMs: 0, endMs: 900, at: '2026-02-05T11:00:02Z' });
  await c.ended({ reason: 'caller-hangup', at: '2026-02-05T11:00:20Z' });
}
