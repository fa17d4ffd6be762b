import t from 'tap';
import type { StartInfo } from '../../src/telephony/call-handler.js';
import { MediaSession, type AdmitDecision, type MediaSocket } from '../../src/telephony/media-session.js';
import { serializeInbound } from '../../src/telephony/serializer.js';
import { ACCOUNT_SID, dsp, quietLog, randomCallSid, sleep } from './helpers.js';

// A connection gets nothing per call until its `start` is admitted, and has a short deadline to get there.

function session(admit: (s: StartInfo) => AdmitDecision | Promise<AdmitDecision>, finished?: Promise<void>) {
  const closed: number[] = [];
  const ended: string[] = [];
  let handlers = 0;
  const socket: MediaSocket = {
    send: () => 'ok',
    bufferedAmount: () => 0,
    end: (code) => {
      closed.push(code);
      s.onClose(); // as uWS does: the close handler follows end()
    },
  };
  const s = new MediaSession({
    socket,
    dsp,
    log: quietLog,
    startTimeoutMs: 50,
    admit,
    ended: (start) => ended.push(start.customParameters.callId ?? ''),
    handlerFactory: () => {
      handlers++;
      return { onAudio() {}, onVad() {}, onDtmf() {}, onEnd() {}, ...(finished && { finished }) };
    },
  });
  return { s, closed, ended, handlers: () => handlers };
}

const start = (callId: string) =>
  serializeInbound({
    event: 'start',
    sequenceNumber: 1,
    streamSid: 'MZ' + '1'.repeat(32),
    start: {
      accountSid: ACCOUNT_SID,
      streamSid: 'MZ' + '1'.repeat(32),
      callSid: randomCallSid(),
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      customParameters: { callId },
    },
  });

t.test('a connection that never sends start is closed at the deadline, having allocated nothing', async (t) => {
  let asked = 0;
  const x = session(() => (asked++, { ok: true }));
  await sleep(120);
  t.same(x.closed, [1008], 'closed as not a Twilio media stream');
  t.equal(asked, 0, 'admission was never asked');
  t.equal(x.handlers(), 0, 'no call handler');
  t.same(x.ended, [], 'no slot to give back');
});

t.test('an admission still pending at the deadline: closed, and the slot it then gets is given back', async (t) => {
  let resolve!: (d: AdmitDecision) => void;
  const x = session(() => new Promise<AdmitDecision>((r) => (resolve = r)));
  x.s.onText(start('slow'));
  await sleep(120);
  t.same(x.closed, [1008], 'the deadline holds while admission is pending');
  resolve({ ok: true });
  await sleep(0);
  t.equal(x.handlers(), 0, 'no call handler for a closed connection');
  t.same(x.ended, ['slow'], 'the slot admission gave it went back at once');
});

t.test('a refused start closes the stream with the refusal code and allocates nothing', async (t) => {
  const x = session(() => ({ ok: false, code: 1013, why: 'at capacity' }));
  x.s.onText(start('refused'));
  t.same(x.closed, [1013]);
  t.equal(x.handlers(), 0);
  t.same(x.ended, [], 'nothing to give back: the gate kept nothing');
});

t.test('a call still finishing when its stream ends (a hang-up draining the recogniser) keeps its slot', async (t) => {
  let finish!: () => void;
  const x = session(() => ({ ok: true }), new Promise<void>((r) => (finish = r)));
  x.s.onText(start('draining'));
  await sleep(0);
  t.equal(x.handlers(), 1);
  x.s.onClose();
  await sleep(20);
  t.same(x.ended, [], 'the slot is held while the call finishes: a shutdown waits for it');
  finish();
  await sleep(0);
  t.same(x.ended, ['draining'], 'given back once the call has finished');
});
