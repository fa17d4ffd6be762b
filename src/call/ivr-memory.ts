import type { CallEmitted, IvrRememberedEvent } from '../../machines/events.js';
import type { Logger } from '../log.js';
import type { IvrPathStore } from './ports.js';

/**
 * The key path that reached a person on a gym's phone tree, remembered per number: recalled when an outbound call
 * starts (the machine replays it once the menu starts, checking the menu still says what it said) and saved when
 * the machine reports the path of this call. A store's failure is logged and never ends the call.
 */
export class IvrMemory {
  constructor(
    private readonly store: IvrPathStore | undefined,
    private readonly phone: string | undefined,
    private readonly callId: string,
    private readonly log: Logger,
  ) {}

  /** Looks the number's path up and hands it to `send` (not when nothing was learnt, or the call is over). */
  recall(send: (e: IvrRememberedEvent) => void, callOver: () => boolean): void {
    if (this.store === undefined || this.phone === undefined) return;
    this.store
      .get(this.phone)
      .then((path) => {
        if (path !== undefined && path.length > 0 && !callOver()) send({ type: 'IVR.REMEMBERED', path });
      })
      // get() answers undefined on its own failures; this is a bug in a store, logged, never the call's end.
      .catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'phone-tree path lookup failed'));
  }

  /** The machine's record of a path that reached a person: saved for the number's next call. */
  emitted(e: CallEmitted): void {
    if (e.type !== 'call.ivrPath' || this.phone === undefined) return;
    this.store
      ?.save(this.phone, e.path, this.callId)
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'phone-tree path not saved'));
  }
}
