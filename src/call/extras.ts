import type { CallLedger } from '../db/recorder.js';
import type { Logger } from '../log.js';
import { UsageMeter, priceCall, type CallCost } from '../costs/meter.js';
import type { PriceTable } from '../costs/prices.js';
import { insertCost } from '../costs/store.js';
import { CallRecording } from '../recordings/call-recording.js';
import { recordingNotice, type NoticePolicy } from '../recordings/notice.js';
import type { RecordingStore } from '../recordings/store.js';
import type { CallTransport } from '../telephony/call-handler.js';
import type { CallProviders } from './session.js';

// What a call keeps besides its conversation: its recording (RECORDING=on, disk permitting) with the notice its
// jurisdiction asks for, and what it used and cost. The session composes it; nothing here can end a call.

export interface ExtrasDeps {
  /** Present when RECORDING=on. */
  readonly recordings?:
    { readonly store: RecordingStore; readonly notice: NoticePolicy; readonly maxCallMs: number } | undefined;
  /** The price table (COST_PRICES); absent = the cost is not computed. */
  readonly prices?: PriceTable | undefined;
  /** Told each call's cost once it is priced (metrics). */
  readonly costed?: ((cost: CallCost) => void) | undefined;
}

export class CallExtras {
  readonly meter: UsageMeter;
  /** The greeting's recording notice, if any. */
  readonly notice: string | undefined;
  readonly #deps: ExtrasDeps | undefined;
  readonly #transport: CallTransport;
  readonly #log: Logger;
  readonly #recording: CallRecording | undefined;

  constructor(
    deps: ExtrasDeps | undefined,
    providers: CallProviders,
    phone: string | undefined,
    transport: CallTransport,
    log: Logger,
  ) {
    this.#deps = deps;
    this.#transport = transport;
    this.#log = log;
    this.meter = new UsageMeter({ asr: providers.asr.name, llm: providers.llm.name });
    const rec = deps?.recordings;
    if (rec !== undefined && rec.store.roomNow()) {
      this.#recording = new CallRecording(rec.maxCallMs, () => transport.nowMs());
      this.#recording.attach(transport.player);
    }
    this.notice = rec === undefined ? undefined : recordingNotice(this.#recording !== undefined, rec.notice, phone);
  }

  get recorded(): boolean {
    return this.#recording !== undefined;
  }

  /** A frame of the gym's line: recognised (metered) and recorded. */
  audio(mulaw: Uint8Array, atMs: number, durationMs: number): void {
    this.meter.audio(durationMs);
    this.#recording?.caller(mulaw, atMs);
  }

  /** The call ended: price it and store the cost, hand the recording over. Never throws. */
  end(ledger: CallLedger | undefined, startedAt: number): void {
    const { prices, costed, recordings } = this.#deps ?? {};
    if (prices !== undefined) {
      const cost = priceCall(this.meter.usage(this.#transport.nowMs()), prices);
      const at = new Date();
      if (cost.unpriced.length > 0)
        this.#log.warn({ unpriced: cost.unpriced }, 'providers missing from the price table');
      void ledger?.write('cost', at, (when) => (pool) => insertCost(pool, ledger.callId, cost, when));
      try {
        costed?.(cost);
      } catch (e) {
        this.#log.warn({ err: (e as Error).message }, 'cost metrics failed');
      }
    }
    if (this.#recording !== undefined && recordings !== undefined && ledger !== undefined)
      void this.#recording.save(recordings.store, ledger, new Date(startedAt), this.#transport.player);
  }
}
