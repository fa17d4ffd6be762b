import { assertEvent, assign } from 'xstate';
import { callerSetup } from './caller.actions.js';
import { markPlayed, updateUtterance } from './turns.js';

/** The playback region's actions: the agent's audio at Twilio, as the speaker reports it. */
export const playbackSetup = callerSetup.extend({
  actions: {
    markStarted: assign(({ context, event }) => {
      assertEvent(event, 'SPEAKER.STARTED');
      return updateUtterance(context, event.utteranceId, (u) => ({ ...u, status: 'playing', startMs: event.atMs }));
    }),
    markDuration: assign(({ context, event }) => {
      assertEvent(event, 'SPEAKER.DURATION');
      return updateUtterance(context, event.utteranceId, (u) => ({ ...u, durationMs: event.ms }));
    }),
    markPlayed: assign(({ context, event }) => {
      assertEvent(event, 'SPEAKER.PLAYED');
      return markPlayed(context, event.utteranceId, event.atMs);
    }),
  },
});
