import type { CallEmitted, CallEndedEvent } from '../../machines/events.js';
import type { CallLedger } from '../db/recorder.js';
import type { Logger } from '../log.js';
import type { CallSummaryCollector } from '../ops/call-summary.js';
import type { CallQuality } from './quality.js';

// Where each event the call machine emits goes: turns and facts to the database (turn by turn, never at call end)
// and to the call summary; `call.ended` is kept for the end of the call; warnings are logged.

export class LedgerSwitch {
  #ended: CallEndedEvent | undefined;

  constructor(
    private readonly ledger: CallLedger | undefined,
    private readonly summary: CallSummaryCollector,
    private readonly quality: CallQuality,
    private readonly log: Logger,
    /** False when the recogniser has no confidence measure of its own: its number is then not stored. */
    private readonly asrConfidence: boolean,
  ) {}

  /** The machine's `call.ended`, once it has emitted it. */
  get ended(): CallEndedEvent | undefined {
    return this.#ended;
  }

  record(e: CallEmitted): void {
    const l = this.ledger;
    switch (e.type) {
      case 'ledger.agentTurn': {
        this.summary.agentTurn(e.interrupted);
        const latency = this.quality.latencyOf(e.seq);
        // The machine's seq: a late caller turn recorded after the greeting still goes before it.
        l?.agentTurn({
          seq: e.seq,
          text: e.text,
          heardText: e.heardText,
          interrupted: e.interrupted,
          startMs: e.startMs ?? null,
          endMs: e.endMs ?? null,
          latency: latency ?? null,
        });
        return;
      }
      case 'ledger.callerTurn':
        if (e.endpoint === 'backchannel' || e.text.trim() === '') return;
        this.summary.callerTurn();
        l?.callerTurn({
          seq: e.seq,
          text: e.text,
          confidence: this.asrConfidence ? e.confidence : null,
          startMs: e.startMs ?? null,
          endMs: e.endMs ?? null,
        });
        return;
      case 'ledger.facts':
        this.summary.factsKnown({
          hoursDays: Object.keys(e.facts.hours).length,
          plans: e.facts.pricing.length,
          classes: e.facts.classes.length,
        });
        l?.facts(e.facts);
        return;
      case 'ledger.refusal':
        l?.refusal(e.refusal);
        return;
      case 'ledger.callback':
        l?.callback(e.request);
        return;
      case 'ledger.message':
        l?.message(e.message);
        return;
      case 'ledger.transfer':
        if (e.to !== null) l?.transfer({ to: e.to, status: e.status });
        return;
      case 'call.ended':
        this.#ended = e;
        return;
      case 'call.warning':
        this.log.warn({ warning: e.message }, 'call warning');
        return;
      case 'call.dtmf':
      case 'call.ivrPath':
        return;
    }
  }
}
