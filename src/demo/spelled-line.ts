import type { InspectionEvent } from 'xstate';
import { join } from 'node:path';
import type { Dsp } from '../dsp/types.js';
import { FakeDeepgram } from '../fakes/deepgram.js';
import type { Logger } from '../log.js';
import { DeepgramAsr } from '../providers/asr/deepgram.js';
import { OfflineInterviewer } from '../providers/llm/offline.js';
import { EspeakTts } from '../providers/tts/espeak.js';
import { FallbackTts } from '../providers/tts/fallback.js';
import { FliteTts } from '../providers/tts/flite.js';
import type { TtsProvider } from '../providers/tts/types.js';
import { DemoEnvironment } from './environment.js';
import type { AgentEars } from './receptionist.js';
import { spelledEars, spelledVoice } from './spelled-voice.js';

// The server of the calls in a language the offline recogniser cannot hear (spelled-voice.ts says why): the real
// server with the offline interviewer, its offline voices (flite for English, espeak-ng for Spanish) speaking
// spelled speech, and its real Deepgram client against the Deepgram fake's spelled mode on a loopback port. Started
// on first use, beside the suite's own server.

export interface SpelledParty {
  readonly env: DemoEnvironment;
  /** The receptionist's voice: espeak-ng, spelled. */
  readonly tts: TtsProvider;
  readonly ears: () => Promise<AgentEars>;
}

export class SpelledLine {
  #party: Promise<SpelledParty> | undefined;
  #fake: FakeDeepgram | undefined;
  readonly #closers: (() => Promise<void>)[] = [];

  constructor(
    dataDir: string,
    private readonly dsp: Dsp,
    private readonly log: Logger,
    private readonly o: {
      /** Record both legs of every call (demo --record). */
      record?: boolean;
      /** DEEPGRAM_ENDPOINTING_MS (its default): how long after her last word the recogniser closes her utterance. */
      endpointingMs?: number;
      /** Every call machine's inspection events (scenarios --trace). */
      inspect?: ((e: InspectionEvent) => void) | undefined;
    } = {},
  ) {
    this.dataDir = join(dataDir, 'spelled');
  }

  /** Where its server keeps its database. */
  readonly dataDir: string;

  party(): Promise<SpelledParty> {
    this.#party ??= this.#start();
    return this.#party;
  }

  async #start(): Promise<SpelledParty> {
    const dsp = this.dsp;
    const fake = (this.#fake = await new FakeDeepgram({ spelled: true }).start());
    const flite = new FliteTts();
    const espeak = new EspeakTts();
    const herVoice = new EspeakTts();
    this.#closers.push(
      () => flite.close(),
      () => espeak.close(),
      () => herVoice.close(),
    );
    const voices = new FallbackTts({
      providers: [flite, espeak],
      firstByteTimeoutMs: 10_000,
      createResampler: (from, to) => dsp.createResampler(from, to),
      log: this.log,
    });
    const env = await DemoEnvironment.start({
      dataDir: this.dataDir,
      log: this.log,
      record: this.o.record === true,
      inspect: this.o.inspect,
      providers: {
        asr: new DeepgramAsr({
          apiKey: 'spelled',
          baseUrl: fake.url,
          model: 'nova-3',
          endpointingMs: this.o.endpointingMs ?? 100,
          log: this.log,
        }),
        llm: new OfflineInterviewer(),
        tts: spelledVoice(voices, dsp, 'en-US'),
      },
    });
    this.#closers.unshift(() => env.close());
    return { env, tts: spelledVoice(herVoice, dsp, 'es-419'), ears: () => Promise.resolve(spelledEars()) };
  }

  async close(): Promise<void> {
    if (this.#party !== undefined) await this.#party.catch(() => undefined);
    for (const c of this.#closers.splice(0)) await c().catch(() => undefined);
    await this.#fake?.close();
  }
}
