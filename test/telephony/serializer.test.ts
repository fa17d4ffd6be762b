import t from 'tap';
import {
  buildClear,
  buildMark,
  buildMedia,
  MAX_MESSAGE_BYTES,
  parseInbound,
  parseOutbound,
  serializeInbound,
  type InboundMessage,
} from '../../src/telephony/serializer.js';
import { StreamValidator } from '../../src/telephony/stream-validator.js';

const SID = 'MZ18ad3ab5a668481ce02b83e7395059f0';
const CA = 'CA2e4ce4c1c35b6b4a7b7a1b2c3d4e5f60';
const AC = 'AC' + '1'.repeat(32);

// Exactly as Twilio documents them (key order included).
const WIRE = {
  connected: '{"event":"connected","protocol":"Call","version":"1.0.0"}',
  start: `{"event":"start","sequenceNumber":"1","start":{"accountSid":"${AC}","streamSid":"${SID}","callSid":"${CA}","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{"callId":"c-1","direction":"outbound"}},"streamSid":"${SID}"}`,
  media: `{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"/34A"},"streamSid":"${SID}"}`,
  dtmf: `{"event":"dtmf","streamSid":"${SID}","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}`,
  mark: `{"event":"mark","sequenceNumber":"6","streamSid":"${SID}","mark":{"name":"utt-1"}}`,
  stop: `{"event":"stop","sequenceNumber":"7","stop":{"accountSid":"${AC}","callSid":"${CA}"},"streamSid":"${SID}"}`,
};

t.test('every inbound event parses to its typed form and serialises back to the exact same JSON', async (t) => {
  for (const [name, text] of Object.entries(WIRE)) {
    const r = parseInbound(text);
    if (!r.ok) {
      t.fail(`${name}: ${r.error.reason} ${r.error.detail}`);
      continue;
    }
    t.equal(r.event.event, name);
    t.equal(serializeInbound(r.event), text, `${name} round-trips byte for byte`);
  }
  const media = parseInbound(WIRE.media);
  t.ok(media.ok && media.event.event === 'media');
  if (media.ok && media.event.event === 'media') {
    t.same([...media.event.media.payload], [0xff, 0x7e, 0x00], 'payload is decoded base64 μ-law');
    t.equal(media.event.media.timestamp, 5, 'numeric strings become numbers');
    t.equal(media.event.sequenceNumber, 4);
  }
  const start = parseInbound(WIRE.start);
  t.same(start.ok && start.event.event === 'start' ? start.event.start.customParameters : {}, {
    callId: 'c-1',
    direction: 'outbound',
  });
});

t.test('outbound builders produce exactly what Twilio expects, and the simulator parses them back', async (t) => {
  const media = buildMedia(SID, new Uint8Array([0xff, 0x7e, 0x00]));
  t.equal(media, `{"event":"media","streamSid":"${SID}","media":{"payload":"/34A"}}`);
  t.equal(buildMark(SID, 'm1'), `{"event":"mark","streamSid":"${SID}","mark":{"name":"m1"}}`);
  t.equal(buildClear(SID), `{"event":"clear","streamSid":"${SID}"}`);
  t.same(parseOutbound(media), { event: 'media', streamSid: SID, media: { payload: '/34A' } });
  t.same(parseOutbound(buildMark(SID, 'm1')), { event: 'mark', streamSid: SID, mark: { name: 'm1' } });
  t.same(parseOutbound(buildClear(SID)), { event: 'clear', streamSid: SID });
  t.equal((parseOutbound('{"event":"speak","streamSid":"MZ1"}') as { reason: string }).reason, 'unknown-event');
});

t.test('bad messages are rejected with a typed reason, never thrown', async (t) => {
  const cases: [string, string][] = [
    ['{not json', 'malformed-json'],
    ['[1,2]', 'not-object'],
    ['null', 'not-object'],
    ['{"event":"transcript"}', 'unknown-event'],
    ['{"foo":1}', 'unknown-event'],
    ['x'.repeat(MAX_MESSAGE_BYTES + 1), 'oversized'],
    [WIRE.media.replace('"/34A"', '"*not base64*"'), 'invalid-field'],
    [WIRE.media.replace('"/34A"', '"/34"'), 'invalid-field'],
    [WIRE.media.replace('"/34A"', JSON.stringify('A'.repeat(20000))), 'oversized'],
    [WIRE.media.replace('"sequenceNumber":"4"', '"sequenceNumber":"-4"'), 'invalid-field'],
    [WIRE.media.replace('"timestamp":"5"', '"timestamp":"five"'), 'invalid-field'],
    [WIRE.dtmf.replace('"digit":"1"', '"digit":"12"'), 'invalid-field'],
    [WIRE.mark.replace('{"name":"utt-1"}', '{}'), 'invalid-field'],
    [WIRE.start.replace('"sampleRate":8000', '"sampleRate":16000'), 'invalid-field'],
    [WIRE.start.replace(`"callSid":"${CA}",`, ''), 'invalid-field'],
    [WIRE.start.replace('"streamSid":"MZ18', '"streamSid":"MZ19'), 'invalid-field'],
    [WIRE.stop.replace(`"streamSid":"${SID}"`, '"streamSid":"not a sid"'), 'invalid-field'],
  ];
  for (const [text, reason] of cases) {
    const r = parseInbound(text);
    t.equal(r.ok ? 'accepted' : r.error.reason, reason, text.slice(0, 80));
  }
});

t.test('stream validator: ordering, one stream per connection, increasing sequence numbers', async (t) => {
  const ev = (name: keyof typeof WIRE, patch?: (s: string) => string): InboundMessage => {
    const r = parseInbound(patch ? patch(WIRE[name]) : WIRE[name]);
    if (!r.ok) throw new Error(r.error.detail);
    return r.event;
  };
  const v = new StreamValidator();
  t.same(v.accept(ev('media')), { reason: 'out-of-order', detail: 'media before start' });
  t.equal(v.accept(ev('connected')), undefined);
  t.equal(v.accept(ev('connected'))?.reason, 'out-of-order', 'duplicate connected');
  t.equal(v.accept(ev('start')), undefined);
  t.equal(v.phase, 'streaming');
  t.equal(v.accept(ev('start'))?.reason, 'out-of-order', 'second start');
  t.equal(v.accept(ev('media')), undefined);
  t.equal(v.accept(ev('media'))?.reason, 'out-of-order', 'replayed sequence number');
  t.equal(v.accept(ev('dtmf', (s) => s.replace(SID, 'MZ' + 'f'.repeat(32))))?.reason, 'wrong-stream');
  t.equal(v.accept(ev('dtmf')), undefined);
  t.equal(v.accept(ev('stop')), undefined);
  t.equal(v.phase, 'stopped');
  t.equal(v.accept(ev('mark', (s) => s.replace('"6"', '"9"')))?.detail, 'mark after stop');
});
