// What `gym-agent call --wait` prints when the call has ended: its outcome, the keys pressed and time on hold,
// every refused topic and the callback request, from GET /v1/calls/{id} (src/db/read-model.ts CallDetail).

interface Refusal {
  topic: string;
  words: string;
  website: string | null;
}

interface Callback {
  earliest_local: string | null;
  time_zone: string | null;
  person: string | null;
  topics: string[];
  words: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function outcomeLines(call: Record<string, unknown>): string[] {
  // No end recorded: the call never reached the agent (busy, not answered, a hang-up before the media stream).
  if (call.end_reason == null) return ['outcome none recorded (the call never reached the agent)'];
  const lines = [`outcome ${str(call.outcome) ?? 'unknown'} (ended: ${String(call.end_reason)})`];
  const keys = Array.isArray(call.keys_pressed) ? (call.keys_pressed as unknown[]).map(String) : [];
  if (keys.length > 0) lines.push(`keys pressed ${keys.join(' → ')}`);
  if (typeof call.hold_ms === 'number' && call.hold_ms > 0) lines.push(`on hold ${(call.hold_ms / 1000).toFixed(1)} s`);
  for (const r of (Array.isArray(call.refusals) ? call.refusals : []) as Refusal[]) {
    lines.push(`refused ${r.topic}: "${r.words}"${r.website ? ` (website ${r.website})` : ''}`);
  }
  const cb = call.callback as Callback | null | undefined;
  if (cb) {
    const when = cb.earliest_local === null ? 'no time given' : `from ${cb.earliest_local.replace('T', ' ')}`;
    const zone = cb.time_zone === null || cb.earliest_local === null ? '' : ` ${cb.time_zone}`;
    const who = cb.person === null ? '' : `, ask for ${cb.person}`;
    const about = cb.topics.length === 0 ? '' : `, about ${cb.topics.join(', ')}`;
    lines.push(`callback ${when}${zone}${who}${about}: "${cb.words}"`);
  }
  return lines;
}
