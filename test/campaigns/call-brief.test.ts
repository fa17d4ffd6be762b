import t from 'tap';
import { initialLine } from '../../machines/line.js';
import { DEFAULT_TIMING } from '../../machines/timing.js';
import { CallDirectory } from '../../src/call/call-directory.js';
import { identifyCall } from '../../src/call/call-identity.js';
import type { ConversationBrief } from '../../src/providers/llm/types.js';
import { MemoryCallStore } from '../../src/telephony/call-store.js';

// A planned call's brief travels from the dial (placeOutbound's store.create) to the session that takes the call's
// media stream (identifyCall → CallInput.brief), through this process's call directory; later updates of the
// record (status callbacks) keep it.

const BRIEF: ConversationBrief = { topicsToAsk: ['pricing'], factsToConfirm: [], askFor: 'Mike' };

t.test('the brief of a placed call reaches its media stream', async (t) => {
  const dir = new CallDirectory(new MemoryCallStore());
  const rec = await dir.create({
    direction: 'outbound',
    phoneNumber: '+12015550123',
    gymName: 'Iron Temple',
    status: 'queued',
    brief: BRIEF,
  });
  await dir.update(rec.callId, { status: 'in-progress', twilioCallSid: 'CA1' });
  t.same(dir.peek(rec.callId)?.brief, BRIEF);
  const start = {
    callSid: 'CA1',
    streamSid: 'MZ1',
    accountSid: 'AC1',
    tracks: ['inbound'],
    customParameters: { callId: rec.callId },
    startedAt: 0,
  };
  const id = identifyCall(start, (callId) => dir.peek(callId));
  t.same(id.brief, BRIEF);
  t.equal(id.direction, 'outbound');
  // A call without one asks every topic.
  const plain = await dir.create({
    direction: 'outbound',
    phoneNumber: '+12015550124',
    gymName: 'Flex',
    status: 'queued',
  });
  t.equal(identifyCall({ ...start, customParameters: { callId: plain.callId } }, (c) => dir.peek(c)).brief, undefined);
});

t.test(
  'one voicemail message per campaign: a brief that says none is left hangs up on the next voicemail',
  async (t) => {
    const input = {
      callId: 'c1',
      direction: 'outbound' as const,
      gymName: 'Iron Temple',
      timing: DEFAULT_TIMING,
      voicemail: { mode: 'leave' as const, callbackNumber: '+12015550100' },
    };
    t.equal(initialLine(input).voicemail.mode, 'leave', 'no brief: the configured policy');
    t.equal(initialLine({ ...input, brief: { ...BRIEF, leaveVoicemail: true } }).voicemail.mode, 'leave');
    t.same(initialLine({ ...input, brief: { ...BRIEF, leaveVoicemail: false } }).voicemail, {
      mode: 'hangup',
      callbackNumber: '+12015550100',
    });
  },
);
