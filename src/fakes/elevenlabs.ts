import { synthSpeech } from './audio.js';
import { FakeHttpServer, jsonResponse } from './server.js';
import { DEFAULT_TTS_TIMING, FaultPlan, serveTts, type TtsTiming } from './tts-stream.js';

// ElevenLabs text-to-speech streaming (POST /v1/text-to-speech/{voice}/stream?output_format=pcm_*), as
// spoken to by @elevenlabs/elevenlabs-js. Answers speech-like PCM at the requested rate.

export interface ElevenLabsRequestRecord {
  voiceId: string;
  outputFormat: string | null;
  body: Record<string, unknown>;
  fault: string;
  atMs: number;
}

export interface FakeElevenLabsOptions {
  apiKey?: string;
  timing?: Partial<TtsTiming>;
  /** Replace the built-in synthetic voice (e.g. with flite) for demos and benchmarks. */
  synth?: (text: string, sampleRate: number) => Buffer | Promise<Buffer>;
  /** Content type of audio responses (the real one is not documented for raw PCM). */
  audioContentType?: string;
  /** Voices of the account besides the premade ones (id → name): cloned voices, for GET /v1/voices/{id}. */
  voices?: Record<string, string>;
}

/** Premade voices every account has (GET /v1/voices/{id} finds them). */
const PREMADE: Readonly<Record<string, string>> = { '21m00Tcm4TlvDq8ikWAM': 'Rachel', EXAVITQu4vr4xnSDxMaL: 'Sarah' };

/** The account's models as GET /v1/models lists them (the fields the SDK and `doctor` read). */
const MODELS = [
  { model_id: 'eleven_turbo_v2_5', name: 'Eleven Turbo v2.5', can_do_text_to_speech: true, languages: ['en', 'es'] },
  { model_id: 'eleven_flash_v2_5', name: 'Eleven Flash v2.5', can_do_text_to_speech: true, languages: ['en', 'es'] },
  {
    model_id: 'eleven_multilingual_v2',
    name: 'Eleven Multilingual v2',
    can_do_text_to_speech: true,
    languages: ['en', 'es'],
  },
  { model_id: 'eleven_turbo_v2', name: 'Eleven Turbo v2', can_do_text_to_speech: true, languages: ['en'] },
  {
    model_id: 'eleven_english_sts_v2',
    name: 'Eleven English v2 (speech to speech)',
    can_do_text_to_speech: false,
    languages: ['en'],
  },
].map((m) => ({ ...m, languages: m.languages.map((l) => ({ language_id: l, name: l })) }));

export class FakeElevenLabs {
  readonly faults = new FaultPlan();
  readonly requests: ElevenLabsRequestRecord[] = [];
  /** GET /v1/models requests (connection warm-ups). */
  modelListRequests = 0;
  /** Voice ids asked for by GET /v1/voices/{id} (`gym-agent doctor`). */
  readonly voiceLookups: string[] = [];
  timing: TtsTiming;
  private readonly http: FakeHttpServer;
  private readonly opts: FakeElevenLabsOptions;

  constructor(opts: FakeElevenLabsOptions = {}) {
    this.opts = opts;
    this.timing = { ...DEFAULT_TTS_TIMING, ...opts.timing };
    this.http = new FakeHttpServer((req, res, body) =>
      this.handle(req.method ?? '', req.url ?? '', req.headers, body, res),
    );
  }

  async start(port = 0): Promise<this> {
    await this.http.listen(port);
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.http.boundPort}`;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** TCP connections accepted so far (clients should reuse keep-alive connections across requests). */
  get connections(): number {
    return this.http.connections;
  }

  private async handle(
    method: string,
    rawUrl: string,
    headers: NodeJS.Dict<string | string[]>,
    body: Buffer,
    res: import('node:http').ServerResponse,
  ): Promise<void> {
    const url = new URL(rawUrl, 'http://fake');
    const m = /^\/v1\/text-to-speech\/([^/]+)\/stream$/.exec(url.pathname);
    const err = (status: number, message: string) => ({ detail: { status: `fake_${status}`, message } });
    const authorised = this.opts.apiKey === undefined || headers['xi-api-key'] === this.opts.apiKey;
    // What clients use to open a connection ahead of time (provider warm-up); cheap, like the real one.
    if (method === 'GET' && url.pathname === '/v1/models') {
      if (!authorised) return jsonResponse(res, 401, err(401, 'invalid api key'));
      this.modelListRequests++;
      return jsonResponse(res, 200, MODELS);
    }
    const voice = /^\/v1\/voices\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && voice) {
      if (!authorised) return jsonResponse(res, 401, err(401, 'invalid api key'));
      const id = decodeURIComponent(voice[1] as string);
      this.voiceLookups.push(id);
      const name = PREMADE[id] ?? this.opts.voices?.[id];
      if (name === undefined)
        return jsonResponse(res, 404, {
          detail: { status: 'voice_not_found', message: `A voice with the voice_id ${id} was not found.` },
        });
      return jsonResponse(res, 200, { voice_id: id, name, category: id in PREMADE ? 'premade' : 'cloned' });
    }
    if (method !== 'POST' || !m) return jsonResponse(res, 404, err(404, 'not found'));
    if (!authorised) return jsonResponse(res, 401, err(401, 'invalid api key'));
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return jsonResponse(res, 400, err(400, 'body is not JSON'));
    }
    const outputFormat = url.searchParams.get('output_format');
    const rate = /^pcm_(\d+)$/.exec(outputFormat ?? 'pcm_44100');
    if (!rate || typeof parsed.text !== 'string') return jsonResponse(res, 422, err(422, 'bad request'));
    const fault = this.faults.next();
    this.requests.push({ voiceId: m[1] as string, outputFormat, body: parsed, fault, atMs: performance.now() });
    const sr = Number(rate[1]);
    const pcm = this.opts.synth ? await this.opts.synth(parsed.text, sr) : synthSpeech(parsed.text, { sampleRate: sr });
    await serveTts(res, pcm, sr, fault, this.timing, err, this.opts.audioContentType ?? 'audio/pcm');
  }
}
