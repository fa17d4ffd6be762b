import type { StateValue } from 'xstate';

/** A state value as one readable line: {speaking: 'playing', caller: 'silent'} → "speaking.playing | caller.silent". */
export function stateString(v: StateValue): string {
  if (typeof v === 'string') return v;
  return Object.entries(v)
    .map(([k, sub]) => {
      if (sub === undefined) return k;
      const inner = stateString(sub);
      return inner.includes(' | ') ? `${k}(${inner})` : `${k}.${inner}`;
    })
    .join(' | ');
}
