import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InspectionEvent } from 'xstate';
import type { CallContext } from '../machines/context.js';
import { loadDsp } from '../src/dsp/index.js';
import { runPersonaCall } from '../src/demo/call.js';
import { offlineEars } from '../src/demo/ears.js';
import { DemoEnvironment } from '../src/demo/environment.js';
import { loadPersona } from '../src/demo/persona.js';
import { FAST } from '../src/demo/run.js';
import { createLogger } from '../src/log.js';
import { FliteTts } from '../src/providers/tts/flite.js';
import { isReplayableEvent, type CallRecording, type RecordedEvent } from './machine-replay.js';

// Records the events one real call actor received (a whole offline demo call: the receptionist persona, the
// offline recogniser, interviewer and voice, the real server and Media Streams socket) with their times, for
// bench:machine's replay variant: CPU per event on the event mix of a real call instead of a synthetic turn.
// Usage: npm run build && node dist/bench/machine-record.js --persona scenarios/cooperative.json --out FILE

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const personaFile = arg('persona') ?? 'scenarios/cooperative.json';
  const out = arg('out') ?? 'bench/fixtures/cooperative.call-events.json';
  const persona = await loadPersona(personaFile);
  const dataDir = await mkdtemp(join(tmpdir(), 'gym-record-'));
  const log = createLogger('warn');
  const events: RecordedEvent[] = [];
  let root: string | undefined;
  let t0: number | undefined;
  let last: CallContext | undefined;
  const inspect = (e: InspectionEvent): void => {
    if (e.actorRef.sessionId !== e.rootId) return;
    if (root === undefined) root = e.rootId;
    if (e.rootId !== root) throw new Error('more than one call actor: the recorder expects exactly one call');
    if (e.type === '@xstate.snapshot') last = (e.snapshot as { context?: CallContext }).context;
    // Only what reaches the actor from outside it: the media pipeline's and the invoked actors' events. Its own
    // timers and raised events are produced again by the replaying actor.
    if (e.type !== '@xstate.event' || e.sourceRef === e.actorRef || !isReplayableEvent(e.event)) return;
    const now = performance.now();
    t0 ??= now;
    events.push({ atMs: Math.round((now - t0) * 10) / 10, event: e.event as RecordedEvent['event'] });
  };
  const env = await DemoEnvironment.start({ dataDir, log, inspect });
  const dsp = loadDsp();
  const tts = new FliteTts({ voice: persona.voice, levelDbfs: null });
  try {
    const outcome = await runPersonaCall({
      env,
      persona,
      tts,
      dsp,
      ears: () => offlineEars(dsp),
      ...FAST,
      timeoutMs: env.server.config.MAX_CALL_MS + 60_000,
    });
    if (last?.endReason === undefined) throw new Error(`the call did not end (${outcome.result.endReason})`);
    const recording: CallRecording = {
      recordedWith: `node dist/bench/machine-record.js --persona ${personaFile} --out ${out}`,
      persona: persona.name,
      callId: last.callId,
      input: { direction: last.direction, gymName: last.gymName, timing: last.timing },
      expect: { endReason: last.endReason, utterances: last.utteranceSeq },
      events,
    };
    await writeFile(out, JSON.stringify(recording) + '\n');
    console.log(
      `${events.length} events over ${events.at(-1)?.atMs ?? 0} ms, end ${recording.expect.endReason}: ${out}`,
    );
  } finally {
    await tts.close?.();
    await env.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
