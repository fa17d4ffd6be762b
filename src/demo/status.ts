// The demo's status line says what is happening in words, not as the call machine's state path (which is long
// and was cut mid-word to fit). The machine's state arrives as src/call/state-string.ts writes it, e.g.
// "live(caller.silent | reply.idle | playback.playing | turn.speaking.flowing)".

/** What the turn region's states mean to someone watching the call (a state's substates share its wording). */
export const TURN_STATUS: Readonly<Record<string, string>> = {
  connecting: 'connecting the audio stream',
  awaitingHello: 'waiting for the gym to say hello',
  greeting: 'agent greeting',
  'listening.waiting': 'listening',
  'listening.hearing': 'gym speaking',
  'listening.endpointing': 'has the gym finished?',
  thinking: 'thinking',
  'speaking.flowing': 'agent speaking',
  'speaking.contested': 'gym talking over the agent',
  interrupted: 'interrupted by the gym',
  standby: 'quiet: menu, hold or recording',
  reintroducing: 'introducing itself to a new voice',
  'closing.farewell': 'saying goodbye',
  'closing.hangingUp': 'hanging up',
};

/** The value of one region ("caller", "turn", …) in a state string, or undefined. */
function region(state: string, name: string): string | undefined {
  return new RegExp(`(?:^|[(| ])${name}\\.([\\w.]+)`).exec(state)?.[1];
}

/** A readable phrase for a call machine state; never a cut-off path. */
export function callStatus(state: string): string {
  if (state.startsWith('draining')) return 'gym hung up';
  if (state.startsWith('ended')) return 'call ended';
  const turn = region(state, 'turn');
  if (turn === undefined) return 'in the call';
  // Before the greeting and while the agent listens, the gym's voice is the news.
  if (region(state, 'caller') === 'speaking' && (turn.startsWith('awaitingHello') || turn.startsWith('listening')))
    return 'gym speaking';
  // The deepest state with a wording: "listening.endpointing.short" reads as "listening.endpointing".
  const path = turn.split('.');
  let said: string | undefined;
  for (let n = path.length; n > 0 && said === undefined; n--) said = TURN_STATUS[path.slice(0, n).join('.')];
  // A turn state this table does not know yet (a new machine state): its name in words, never a raw path.
  const status =
    said ??
    turn
      .replace(/\./g, ' ')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase();
  // A reply started early, while the gym may still go on (preemptive generation): worth showing.
  if (turn.startsWith('listening') && region(state, 'reply')?.startsWith('generating'))
    return `${status} (preparing a reply)`;
  return status;
}
