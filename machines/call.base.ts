import { setup } from 'xstate';
import type { CallContext } from './context.js';
import type { CallEmitted, CallInput, MachineEvent } from './events.js';
import { guards } from './guards.js';
import { callDelays, defaultActors } from './setup.parts.js';

/**
 * The call machine's types, default actors, named delays and guards. Each region's actions extend it in their own
 * module (caller → playback → reply → turn → closing, call.setup.ts last), so the actions of one region read in
 * one file and no module imports back from the one that assembles them.
 */
export const callBase = setup({
  types: {
    context: {} as CallContext,
    events: {} as MachineEvent,
    input: {} as CallInput,
    emitted: {} as CallEmitted,
  },
  actors: defaultActors,
  delays: callDelays,
  guards,
});
