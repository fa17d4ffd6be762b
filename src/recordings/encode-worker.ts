import { parentPort } from 'node:worker_threads';
import { rename, writeFile } from 'node:fs/promises';
import { encodeFlac } from './flac.js';
import type { EncodeJob, EncodeResult } from './encoder.js';

// The encoding thread (src/recordings/encoder.ts): one job at a time, so the calls' event loop never waits on
// libFLAC and encoding takes at most one core however many calls end at once. The file appears under its final name
// only when complete (written beside it, then renamed).

parentPort?.on('message', (job: EncodeJob) => {
  void run(job).then((r) => parentPort?.postMessage(r));
});

async function run(job: EncodeJob): Promise<EncodeResult> {
  const started = process.cpuUsage();
  try {
    const flac = await encodeFlac({ caller: job.caller, agent: job.agent, samples: job.samples });
    const tmp = `${job.path}.part`;
    await writeFile(tmp, flac, { mode: 0o600 });
    await rename(tmp, job.path);
    const cpu = process.cpuUsage(started);
    return { id: job.id, ok: true, bytes: flac.length, cpuMs: (cpu.user + cpu.system) / 1000 };
  } catch (e) {
    return { id: job.id, ok: false, error: (e as Error).message };
  }
}
