import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizePhoneAudio } from '../../src/audio/speech.js';
import { DemoEnvironment } from '../../src/demo/environment.js';
import { loadDsp } from '../../src/dsp/index.js';
import { OfflineAsr } from '../../src/providers/asr/offline.js';
import { OfflineInterviewer } from '../../src/providers/llm/offline.js';
import { FliteTts } from '../../src/providers/tts/flite.js';
import { createLogger } from '../../src/log.js';
import { RECORDING_NOTICE_LINE } from '../../src/recordings/notice.js';
import { decodeFlac, flacDecoder } from './flac-decode.js';
import { waitFor } from '../support/wait.js';
import { seedDatabase } from '../support/database.js';

// The whole path on the offline stack: a call placed through the API to the simulated gym, recorded (RECORDING=on),
// its greeting with the notice, the FLAC file with the gym on the left and the agent on the right, played through
// the review route, and its cost in GET /v1/calls/:id.

// A server with the embedded database and the offline stack: slow to start on a busy machine.
t.setTimeout(400_000);

t.test('a recorded call end to end', async (t) => {
  t.setTimeout(400_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'rec-e2e-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await seedDatabase(dataDir);
  const env = await DemoEnvironment.start({
    dataDir,
    log: createLogger(process.env.E2E_LOG === '1' ? 'debug' : 'silent'),
    env: { RECORDING: 'on', RECORDING_MIN_FREE_MB: '0', RECORDING_NOTICE: 'always' },
    // The offline stack as configured, except flite in this thread: its worker's start-up (a WebAssembly compile)
    // outlasts flite's 10 s deadline on a machine this busy, and the voice's thread is not what is tested here.
    providers: {
      asr: new OfflineAsr({ dsp: loadDsp() }),
      llm: new OfflineInterviewer(),
      tts: new FliteTts({ voice: 'kal16', mode: 'inline' }),
    },
  });
  t.teardown(() => env.close());
  const phone = '+12015550199';
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  // The gym answers with a hello (flite's other voice), then listens until the agent has said its greeting (or the
  // call ended), then hangs up.
  const dsp = loadDsp();
  const { pcm: hello } = await synthesizePhoneAudio(
    new FliteTts({ voice: 'slt', mode: 'inline', levelDbfs: null }),
    dsp,
    'Hello, Echo Gym, how can I help you?',
  );
  let greeted = false;
  let over = false;
  env.routing.callees.set(phone, async (stream) => {
    await stream.say(hello);
    for (let s = 0; s < 90 && !greeted && !over; s++) await stream.say(new Int16Array(8000));
    await stream.say(new Int16Array(8000));
    await stream.hangUp();
  });
  const callId = await env.placeCall(phone, 'Echo Gym');
  env.routing.watch(callId, {
    ended: () => {
      over = true;
      ended();
    },
    emitted: (_id, e) => {
      if (e.type === 'ledger.agentTurn') greeted = true;
    },
  });
  await done;
  const auth = { authorization: `Bearer ${env.apiToken}` };
  const url = `${env.baseUrl}/review/calls/${encodeURIComponent(callId)}/recording`;
  let res: Response | undefined;
  await waitFor(
    async () => {
      res = await fetch(url, { headers: auth });
      return res.status === 200;
    },
    { timeoutMs: 60_000, what: 'the recording stored' },
  );
  t.equal(res?.headers.get('content-type'), 'audio/flac');
  const [gym, agent] = decodeFlac(await flacDecoder(), Buffer.from(await res!.arrayBuffer()));
  const energy = (pcm: Int16Array, from: number, to: number) => {
    let s = 0;
    for (let i = from * 8; i < Math.min(to * 8, pcm.length); i++) s += pcm[i]! ** 2;
    return Math.sqrt(s / Math.max(1, Math.min(to * 8, pcm.length) - from * 8));
  };
  const helloMs = (hello.length / 8) | 0;
  t.ok(energy(gym, 0, helloMs) > 300, "the gym's hello on the left, at the start");
  const agentFromMs = agent.findIndex((x) => Math.abs(x) > 1000) / 8;
  t.ok(
    energy(agent, 0, helloMs) < 30,
    `not on the right: the agent waited for it (hello 0–${helloMs} ms, the agent from ${agentFromMs} ms)`,
  );
  t.ok(energy(agent, 0, agent.length / 8) > 100, 'the agent spoke on the right');
  // The call's last turns and its cost reach the database through the write queue after the end event: wait for them.
  let call!: {
    transcript?: { speaker: string; text: string }[];
    cost?: { twilioMinutes: number; asrSeconds: number; ttsCharacters: number; usd: { total: number } };
  };
  await waitFor(
    async () => {
      const r = await fetch(`${env.baseUrl}/v1/calls/${encodeURIComponent(callId)}`, { headers: auth });
      call = (await r.json()) as typeof call;
      return call.cost !== undefined;
    },
    { timeoutMs: 30_000, what: "the call's cost stored" },
  );
  const said = (call.transcript ?? []).filter((x) => x.speaker === 'agent').map((x) => x.text);
  t.ok(
    said.some((x) => x.includes(RECORDING_NOTICE_LINE)),
    'the greeting said the call is recorded',
  );
  t.ok((call.cost?.twilioMinutes ?? 0) >= 1, 'started minutes billed');
  t.ok((call.cost?.asrSeconds ?? 0) >= 1, `recognised seconds (${call.cost?.asrSeconds})`);
  t.ok((call.cost?.ttsCharacters ?? 0) > 20, 'characters synthesised');
  t.equal(
    call.cost?.usd.total,
    Math.round(call.cost!.twilioMinutes * 0.018 * 1e6) / 1e6,
    'offline stack: only Twilio costs money',
  );
});
