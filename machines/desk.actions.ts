import { assertEvent, enqueueActions } from 'xstate';
import type { TransferOutput } from './events.js';
import { situationSetup } from './situation.actions.js';

/** Each action's params (undefined: none), given explicitly: when `extend` infers them, `check()` takes no guard. */
type DeskActionParams = {
  recordMessage: undefined;
  recordTransfer: undefined;
  noteTransferError: undefined;
};

/**
 * The desk region's actions (machines/desk.region.ts): a front-desk caller's message stored as it is taken, and
 * the transfer to the staff as Twilio answered it. A transfer that went through ends the call as `transferred`
 * (Twilio's redirect ends our media stream; the hang-up that follows is the stream's, never ours); one that failed
 * is said at the next re-prompt, with the offer of a message.
 */
export const deskSetup = situationSetup.extend<DeskActionParams>({
  actions: {
    recordMessage: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'REPLY.MESSAGE');
      enqueue.emit({ type: 'ledger.message', callId: context.callId, message: event.message });
    }),
    recordTransfer: enqueueActions(({ context, event, enqueue }) => {
      const out = (event as { output?: Partial<TransferOutput> }).output;
      const dialled = out?.dialled === true;
      enqueue.emit({
        type: 'ledger.transfer',
        callId: context.callId,
        to: out?.to ?? null,
        status: dialled ? 'dialling' : 'failed',
      });
      enqueue.assign(dialled ? { endReason: 'transferred' as const } : { transferFailed: true });
    }),
    noteTransferError: enqueueActions(({ context, event, enqueue }) => {
      const detail = 'error' in event ? String(event.error) : 'transfer failed';
      enqueue.emit({ type: 'call.warning', callId: context.callId, message: `transfer failed: ${detail}` });
      enqueue.emit({ type: 'ledger.transfer', callId: context.callId, to: null, status: 'failed' });
      enqueue.assign({ transferFailed: true });
    }),
  },
});
