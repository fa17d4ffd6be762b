import { z } from 'zod';
import { isTimeZone } from '../situations/timezone.js';
import { DEFAULT_VAD, VAD_KINDS } from '../audio/vad.js';
import { LINE_POLICIES } from '../providers/asr/line-snr.js';
import {
  DEFAULT_NUMBER_TYPES,
  DEFAULT_REGIONS,
  DIALLABLE_TYPES,
  isDiallableType,
  isRegion,
} from '../telephony/destination.js';
import { KEYPAD_MODES } from '../telephony/keypad/types.js';
import {
  DEFAULT_WEBHOOK_EVENT_TYPES,
  isWebhookEventType,
  WEBHOOK_EVENT_TYPES,
  webhookSecretKey,
  webhookUrlProblem,
} from '../webhooks/config.js';
import { parseOtlpHeaders } from '../tracing/settings.js';
import { DEFAULT_LANGUAGE, languageSchema } from '../language/index.js';

// Every knob the app reads from the environment. Parsed once at start-up by loadConfig(); nothing else
// reads process.env. Names of the original system are kept (TWILIO_*, DEEPGRAM_API_KEY, ...).

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = (protocols: readonly string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Comma-separated list; blank entries dropped. */
const list = (def: readonly string[], normalise: (s: string) => string = (s) => s) =>
  z
    .string()
    .default(def.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((s) => normalise(s.trim()))
        .filter((s) => s !== ''),
    );

/** The API token guards call placement and transcripts: long enough that guessing it is hopeless. */
export const MIN_API_TOKEN_LENGTH = 32;

const providerChoice = (names: readonly [string, ...string[]]) => z.enum(['auto', ...names]).default('auto');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(8080, 0, 65535),
  // Unset: 0.0.0.0 with API_TOKEN, 127.0.0.1 without; a non-loopback HOST needs API_TOKEN (config/index.ts).
  HOST: optionalString,
  PUBLIC_BASE_URL: optionalUrl(['https:', 'http:']),
  API_TOKEN: optionalString.refine((v) => v === undefined || v.length >= MIN_API_TOKEN_LENGTH, {
    message: `must be at least ${MIN_API_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
  }),
  // Host names served besides PUBLIC_BASE_URL's, localhost and IP literals (src/http/request-policy.ts).
  ALLOWED_HOSTS: list([], (s) => s.toLowerCase()).refine((a) => a.every((h) => /^[a-z0-9_.-]+$/.test(h)), {
    message: 'must be comma-separated host names without ports, e.g. gym-agent.internal,agent.lan',
  }),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TWILIO_ACCOUNT_SID: optionalString.refine((v) => v === undefined || /^AC[0-9a-fA-F]{32}$/.test(v), {
    message: 'must look like AC followed by 32 hex digits',
  }),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_PHONE_NUMBER: optionalString.refine((v) => v === undefined || /^\+[1-9]\d{6,14}$/.test(v), {
    message: 'must be an E.164 number such as +15551234567',
  }),
  TWILIO_API_BASE_URL: optionalUrl(['https:', 'http:']),
  TWILIO_MACHINE_DETECTION: bool(false),
  // Answering-machine detection for outbound calls: 'async' asks Twilio for DetectMessageEnd without holding up the
  // call; its verdict comes to /twilio/amd and reaches the call as AMD.RESULT (src/telephony/amd.ts). 'off': none.
  AMD: z.enum(['off', 'async']).default('off'),
  // How the agent presses keys in a phone tree: 'inband' tones in its own audio, or 'twilio' <Play digits> by a REST
  // redirect that restarts the media stream (src/telephony/keypad/types.ts). The other one is the fallback.
  KEYPAD_MODE: z.enum(KEYPAD_MODES).default('inband'),

  DEEPGRAM_API_KEY: optionalString,
  DEEPGRAM_BASE_URL: optionalUrl(['wss:', 'ws:', 'https:', 'http:']),
  DEEPGRAM_MODEL: z.string().default('nova-3'),
  // Silence (ms) after which Deepgram closes what it heard (speech_final). Below the VAD's 200 ms hangover, so her
  // words are final before the silence edge; splits at short pauses are harmless (the call joins finals and ends
  // the turn itself).
  DEEPGRAM_ENDPOINTING_MS: int(100, 10, 5000),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl(['https:', 'http:']),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TTS_MODEL: z.string().default('tts-1-hd'),
  OPENAI_TTS_VOICE: z.string().default('alloy'),

  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_BASE_URL: optionalUrl(['https:', 'http:']),
  ELEVENLABS_VOICE_ID: z.string().default('21m00Tcm4TlvDq8ikWAM'),
  ELEVENLABS_MODEL: z.string().default('eleven_turbo_v2_5'),
  ELEVENLABS_OUTPUT_FORMAT: z.enum(['pcm_16000', 'pcm_22050', 'pcm_24000', 'pcm_44100']).default('pcm_24000'),
  ELEVENLABS_STABILITY: z.coerce.number().min(0).max(1).default(0.5),
  ELEVENLABS_SIMILARITY: z.coerce.number().min(0).max(1).default(0.75),
  ELEVENLABS_SPEAKER_BOOST: bool(true),

  // 'auto' = cloud when its key is present, otherwise offline.
  ASR_PROVIDER: providerChoice(['deepgram', 'offline']),
  // Threads the offline recogniser decodes on (auto: one per core but one, 1-4); 0 decodes on the event loop.
  ASR_OFFLINE_THREADS: z
    .union([z.literal('auto'), z.coerce.number().int().min(0).max(16)], {
      message: 'must be auto or a whole number from 0 to 16',
    })
    .default('auto'),
  // Whose words the offline recogniser's finals carry: Moonshine's on noisy lines (default), always, or never.
  ASR_OFFLINE_MOONSHINE: z.enum(LINE_POLICIES).default('noisy'),
  LLM_PROVIDER: providerChoice(['openai', 'offline']),
  // Ordered failover list; OpenAI's tts-1* models shut down on 2027-01-06, so keep this configurable.
  TTS_PROVIDERS: z.string().default('auto'),
  TTS_FIRST_BYTE_TIMEOUT_MS: int(1500, 50, 30000),
  // Audio of short lines said before (acknowledgements, questions, goodbyes) kept in memory per provider and voice,
  // played again without a request (src/providers/tts/phrase-cache.ts). 0 = off.
  TTS_CACHE_MB: int(16, 0, 1024),

  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be a postgres:// or postgresql:// URL',
  }),
  DB_AUTO_MIGRATE: bool(true),
  DB_WRITE_QUEUE_MAX: int(10000, 10, 10_000_000),

  // Turn-taking (milliseconds). See machines/ and docs/call-machine.md.
  VAD_MIN_SPEECH_MS: int(120, 20, 2000),
  // Frame classifier for the caller's audio; 'silero' chosen by bench/vad.ts (docs/benchmarks/vad.md).
  VAD_KIND: z.enum(VAD_KINDS, { message: `must be one of ${VAD_KINDS.join(', ')}` }).default(DEFAULT_VAD),
  // Offline TTS voice of the agent (flite; awb is not offered, it crashes when reused).
  FLITE_VOICE: z.enum(['kal16', 'slt']).default('kal16'),
  // Offline TTS voice variant for the languages flite does not speak (espeak-ng: m1-m8, f1-f5, klatt, ...; the
  // installed data is checked at start-up). Unset: espeak-ng's default voice of the call's language.
  ESPEAK_VARIANT: optionalString.refine(
    (v) => v === undefined || /^[A-Za-z0-9_]{1,40}$/.test(v),
    'must be an espeak-ng voice variant name such as m3, f1 or klatt',
  ),
  // Semantic end of turn: the wait after the last voiced frame when the words are complete and the recogniser
  // closed them as a sentence (at most ENDPOINT_SHORT_MS; equal switches it off). docs/call-machine.md.
  ENDPOINT_SEMANTIC_MS: int(250, 0, 3000),
  ENDPOINT_SHORT_MS: int(400, 100, 3000),
  ENDPOINT_LONG_MS: int(1500, 200, 5000),
  ENDPOINT_MAX_MS: int(3000, 500, 10000),
  BARGE_IN_MIN_MS: int(600, 100, 5000),
  BARGE_IN_CONFIRM_MS: int(900, 100, 5000),
  // Barge-in needs her voice, not the room's (src/call/caller-voice.ts): frames of speech standing this many dB over
  // the line's measured noise peak, filling this many ms of 400, and where her speech is within this many dB of
  // the room's peak the line is noisy and only words confirm an interruption.
  BARGE_IN_EVIDENCE_MS: int(200, 60, 400),
  BARGE_IN_MARGIN_DB: z.coerce.number().min(0).max(20).default(4),
  LINE_NOISY_SNR_DB: z.coerce.number().min(0).max(60).default(20),
  IDLE_REPROMPT_MS: int(7000, 1000, 60000),
  IDLE_REPROMPT_COUNT: int(2, 0, 5),
  MAX_CALL_MS: int(300000, 10000, 3_600_000),
  PROVIDER_DEADLINE_MS: int(2500, 200, 30000),
  OUTBOUND_HELLO_TIMEOUT_MS: int(3000, 500, 30000),
  GOODBYE_MARGIN_MS: int(1500, 0, 30000),
  // The caller hung up mid-sentence: wait this long at most for the recogniser's final of those words (0 = don't).
  // The wait normally ends sooner, on the recogniser's answer to its flush; this bounds a recogniser behind real time.
  HANGUP_ASR_DRAIN_MS: int(5000, 0, 30000),
  // On hold (hold music, silence, "your call is important to us"): give up after this long (outcome hold-timeout).
  HOLD_MAX_MS: int(300000, 5000, 3_600_000),
  // A voicemail greeting: 'leave' a short message after the beep (who, why, callback number), or 'hangup' at once.
  VOICEMAIL_ACTION: z.enum(['leave', 'hangup']).default('leave'),
  // The number the voicemail message asks the gym to call back; unset: TWILIO_PHONE_NUMBER, else none said.
  VOICEMAIL_CALLBACK_NUMBER: optionalString.refine((v) => v === undefined || /^\+[1-9]\d{6,14}$/.test(v), {
    message: 'must be an E.164 number such as +15551234567',
  }),
  // Start of the greeting that caller speech cannot interrupt; 0 = interruptible at once, 60000 = never.
  GREETING_UNINTERRUPTIBLE_MS: int(1200, 0, 60000),
  // End-of-turn waits count from the caller's last voiced frame, not from the VAD's silence edge (its hangover later).
  ENDPOINT_FROM_LAST_VOICE: bool(true),
  // Start the reply when the recogniser's final arrives during the end-of-turn wait; adopted if the turn commits
  // with the same words, else aborted (docs/call-machine.md). Off = request the reply only at the end of the turn.
  PREEMPTIVE_GENERATION: bool(true),
  // Early reply at a pause: after this many ms of unvoiced frames (long before the VAD's 200 ms hangover), interim
  // words that look complete start the reply (held; adopted only if the final has the same words). Above the
  // gaps between words, below the recogniser's endpointing plus its final's latency. 0 = off (only finals start it).
  EARLY_REPLY_PAUSE_MS: int(80, 0, 1000),
  // Synthesise speech ahead: the greeting at call start, the first held sentences of a preemptive reply. Used only
  // when the machine says that exact text; otherwise aborted and freed (src/call/tts-prefetch.ts).
  TTS_PREFETCH: bool(true),

  // Recordings and cost (issue 17; src/recordings/, src/costs/, docs/operations.md). Two-channel FLAC of the media
  // stream under DATA_DIR/recordings; recording stops (the call goes on) when the disk has less than
  // RECORDING_MIN_FREE_MB free. RECORDING_NOTICE: which calls hear that they are recorded (src/recordings/notice.ts).
  RECORDING: z.enum(['off', 'on']).default('off'),
  RECORDING_RETENTION_DAYS: int(30, 1, 3650),
  RECORDING_MIN_FREE_MB: int(1024, 0, 10_000_000),
  RECORDING_NOTICE: z.enum(['always', 'two-party', 'never']).default('always'),
  // The price table: inline JSON or the path of a JSON file; unset = the defaults of src/costs/prices.ts.
  COST_PRICES: optionalString,
  // An A/B experiment of conversation flows (src/flows/, docs/flows.md): inline JSON or the path of a JSON file;
  // unset = every call runs the built-in flow.
  FLOWS: optionalString,

  // Where outbound calls may go (src/telephony/destination.ts): ISO 3166 regions and libphonenumber number types.
  CALL_ALLOWED_REGIONS: list(DEFAULT_REGIONS, (s) => s.toUpperCase())
    .refine((a) => a.length > 0 && a.every(isRegion), {
      message: 'must be comma-separated ISO 3166 region codes, e.g. US,CA,GB',
    })
    .transform((a) => a.filter(isRegion)),
  CALL_ALLOWED_NUMBER_TYPES: list(DEFAULT_NUMBER_TYPES, (s) => s.toUpperCase())
    .refine((a) => a.length > 0 && a.every(isDiallableType), {
      message: `must be comma-separated types among ${DIALLABLE_TYPES.join(', ')} (premium rate is never allowed)`,
    })
    .transform((a) => a.filter(isDiallableType)),
  // The gyms' time zone when a number's region has several (US, CA, AU): a callback's "after two" is read in it
  // (src/situations/timezone.ts). Numbers of single-zone regions (GB, IE) use their region's zone.
  CALL_DEFAULT_TIMEZONE: z
    .string()
    .default('America/New_York')
    .refine(isTimeZone, { message: 'must be an IANA time zone such as America/New_York or Europe/London' }),
  // The language of a call whose gym and campaign name none (src/language/): en or es, or a regional tag or name
  // ("es-MX", "Spanish"). A gym's or a campaign's own `language` comes first.
  CALL_LANGUAGE: languageSchema.default(DEFAULT_LANGUAGE),
  // A gym's fact older than this (days since a call last stated it) is stale: a follow-up call confirms it
  // (src/gyms/freshness.ts).
  FACTS_MAX_AGE_DAYS: int(90, 1, 3650),

  // Outbound webhooks (src/webhooks/, docs/webhooks.md): signed POSTs to one receiver (a CRM, a spreadsheet's
  // automation). Unset URL: none. https only, plain http to a loopback address; never a link-local or metadata host.
  WEBHOOK_URL: optionalString.superRefine((v, ctx) => {
    const problem = v === undefined ? undefined : webhookUrlProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  // Standard Webhooks secret (whsec_ + base64 of 24-64 random bytes); required with WEBHOOK_URL, never logged.
  WEBHOOK_SECRET: optionalString.superRefine((v, ctx) => {
    const key = v === undefined ? undefined : webhookSecretKey(v);
    if (typeof key === 'string') ctx.addIssue({ code: 'custom', message: key });
  }),
  // Default: all but message.taken (a caller's personal data), which a receiver opts in to by listing it.
  WEBHOOK_EVENTS: list(DEFAULT_WEBHOOK_EVENT_TYPES)
    .refine((a) => a.length > 0 && a.every(isWebhookEventType), {
      message: `must be comma-separated event types among ${WEBHOOK_EVENT_TYPES.join(', ')}`,
    })
    .transform((a) => a.filter(isWebhookEventType)),
  // One delivery attempt's limit (connect, send, the receiver's answer); Standard Webhooks suggests 15-30 s.
  WEBHOOK_TIMEOUT_MS: int(15000, 1000, 60000),
  // Attempts before an event becomes a dead letter (waits grow from ~30 s to ~12 h: 8 attempts span 12-24 h).
  WEBHOOK_MAX_ATTEMPTS: int(8, 1, 20),
  // Delivered events are deleted this many days after delivery; dead letters stay until retried.
  WEBHOOK_RETENTION_DAYS: int(14, 1, 3650),

  // OpenTelemetry traces (src/tracing/, docs/operations.md), the standard variables: one trace per call, sent as
  // OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (or the traces endpoint as given). Unset: no tracing.
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(['https:', 'http:']),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl(['https:', 'http:']),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const h = parseOtlpHeaders(v);
      if (typeof h === 'string') ctx.addIssue({ code: 'custom', message: h });
      return typeof h === 'string' ? {} : h;
    }),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('gym-call-agent'),
  OTEL_SDK_DISABLED: bool(false),

  MAX_CONCURRENT_CALLS: int(200, 1, 100000),
  SHUTDOWN_GRACE_MS: int(330000, 0, 3_600_000),
  RATE_LIMIT_PER_MINUTE: int(120, 1, 1_000_000),
  // Proxies in front of the app that append to X-Forwarded-For (Traefik = 1); 0 trusts only the socket peer.
  TRUST_PROXY_HOPS: int(0, 0, 10),
  INSPECT: bool(false),
  // Loopback port of the live call inspector bridge (src/call/inspect.ts); 0 = any free port.
  INSPECT_PORT: int(5678, 0, 65535),
  DSP_FORCE_SCALAR: bool(false),
  // A built gym_dsp.node tried before the build directories (src/dsp/index.ts), e.g. one cross-compiled for the Pi.
  DSP_ADDON_PATH: optionalString,
  // uWebSockets.js reads this itself and then loads its slow ws shim, which the server refuses (src/telephony/
  // uws.ts); read here only so the refusal can say why.
  UWS_USE_FALLBACK: optionalString,
});

export type Env = z.infer<typeof envSchema>;
