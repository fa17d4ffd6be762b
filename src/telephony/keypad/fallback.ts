import type { Logger } from '../../log.js';
import { KeysRejected, type KeypadPort } from './types.js';

// The configured keypad first; when a press fails there (in-band: frames dropped or no echo; twilio: REST error, or
// the new stream never came), the same keys once more on the next one. Like the TTS failover (src/providers/tts/
// fallback.ts), minus the breaker: a call presses a handful of keys, so there is nothing to amortise. Bad keys and
// an aborted press are not retried.

export class FallbackKeypad implements KeypadPort {
  readonly #ports: readonly KeypadPort[];
  readonly #log: Logger;

  constructor(ports: readonly KeypadPort[], log: Logger) {
    if (ports.length === 0) throw new RangeError('FallbackKeypad needs at least one keypad');
    this.#ports = ports;
    this.#log = log;
  }

  get mode() {
    return this.#ports[0]!.mode;
  }

  async pressKeys(keys: string, signal?: AbortSignal): Promise<void> {
    let last: unknown;
    for (const [i, port] of this.#ports.entries()) {
      try {
        await port.pressKeys(keys, signal);
        if (i > 0) this.#log.info({ mode: port.mode, keys: keys.length }, 'keys pressed by the fallback keypad');
        return;
      } catch (e) {
        if (e instanceof KeysRejected || signal?.aborted) throw e;
        last = e;
        this.#log.warn({ mode: port.mode, err: (e as Error).message }, 'pressing keys failed');
      }
    }
    throw last;
  }
}
