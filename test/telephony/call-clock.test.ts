import t from 'tap';
import type { CallTransport } from '../../src/telephony/call-handler.js';
import { MediaSession, type MediaSocket } from '../../src/telephony/media-session.js';
import { serializeInbound } from '../../src/telephony/serializer.js';
import { ACCOUNT_SID, dsp, quietLog, randomCallSid, sleep } from './helpers.js';

// The call's clock (transport.nowMs) and the media clock (each frame's timestamp) must agree: the agent's audio is
// placed on the first and the gym's on the second (the recording, the echo estimate). When `start` is handled late
// (a busy event loop), the frames queued behind it carry timestamps ahead of the clock, and the clock catches up.

const SID = 'MZ' + '2'.repeat(32);

function session() {
  let transport: CallTransport | undefined;
  const socket: MediaSocket = { send: () => 'ok', bufferedAmount: () => 0, end: () => s.onClose() };
  const s = new MediaSession({
    socket,
    dsp,
    log: quietLog,
    handlerFactory: (_start, tr) => {
      transport = tr;
      return { onAudio() {}, onVad() {}, onDtmf() {}, onEnd() {} };
    },
  });
  s.onText(
    serializeInbound({
      event: 'start',
      sequenceNumber: 1,
      streamSid: SID,
      start: {
        accountSid: ACCOUNT_SID,
        streamSid: SID,
        callSid: randomCallSid(),
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: { callId: 'c1' },
      },
    }),
  );
  let seq = 1;
  const frame = (timestamp: number) =>
    s.onText(
      serializeInbound({
        event: 'media',
        sequenceNumber: ++seq,
        streamSid: SID,
        media: { track: 'inbound', chunk: seq, timestamp, payload: new Uint8Array(160).fill(0xff) },
      }),
    );
  return { frame, now: () => transport?.nowMs() ?? Number.NaN };
}

t.test('frames queued behind a late start move the call clock up to their media time', async (t) => {
  const x = session();
  t.ok(x.now() < 50, 'the clock starts at 0 when start is handled');
  // A second of audio that waited behind `start`: all of it arrives at once.
  for (let ts = 0; ts <= 1000; ts += 20) x.frame(ts);
  t.ok(x.now() >= 1000, `the clock is at the media time of the last frame (${x.now()} ms)`);
  const before = x.now();
  await sleep(100);
  t.ok(x.now() >= before + 90, 'and runs on from there');
});

t.test('frames on time (or late) leave the clock alone: it never goes back', async (t) => {
  const x = session();
  await sleep(200);
  // A 20 ms frame that started at 0 arrives 200 ms later: network delay, not a clock error.
  x.frame(0);
  x.frame(20);
  const now = x.now();
  t.ok(now >= 190 && now < 400, `the clock is the time since start (${now} ms)`);
});
