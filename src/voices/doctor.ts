import type { Config } from '../config/index.js';
import { finding, type Finding } from '../ops/doctor/types.js';
import { elevenLabsModelFor, GPT_ONLY_VOICES } from '../providers/tts/voice-catalogue.js';
import type { BrandVoice } from './brand.js';

// `gym-agent doctor`'s voices: every ElevenLabs voice something configures (ELEVENLABS_VOICE_ID, each gym's and
// campaign's brand voice, each flow variant's) asked for by id through the SDK (GET /v1/voices/{id}: a cloned voice
// of another account, or one deleted since, is found here and not in a call), every ElevenLabs model they name
// checked against the account's model list (it exists and speaks text), and every OpenAI voice against its model
// (OpenAI's list is fixed, so that needs no request).

/** A voice and who configures it ("gym 12", "campaign 3", "FLOWS variant warm", "ELEVENLABS_VOICE_ID"). */
export interface OwnedVoice {
  readonly owner: string;
  readonly voice: BrandVoice;
  /** The language of the owner's calls (a gym's or campaign's), when it says one. */
  readonly language?: string | undefined;
}

/** A stored voice that no longer passes the checks (edited by hand, or the checks grew): its calls ignore it. */
export interface InvalidVoice {
  readonly owner: string;
  readonly invalid: string;
}

/** What the check needs of @elevenlabs/elevenlabs-js (its client; a test may pass one pointed at the fake). */
export interface ElevenLabsVoiceApi {
  voices: { get(id: string, req?: object, opts?: object): Promise<{ name?: string | undefined }> };
  models: {
    list(opts?: object): Promise<
      {
        modelId: string;
        canDoTextToSpeech?: boolean | undefined;
        languages?: { languageId?: string | undefined }[] | undefined;
      }[]
    >;
  };
}

export interface VoiceCheckOptions {
  readonly offline: boolean;
  readonly timeoutMs: number;
  /** The stored brand voices and the flow variants' (or why they could not be read). */
  readonly voices: (OwnedVoice | InvalidVoice)[] | { readonly unavailable: string };
  readonly client?: ElevenLabsVoiceApi | undefined;
}

const statusOf = (e: unknown): number | undefined => (e as { statusCode?: number }).statusCode;
const detailOf = (e: unknown): string =>
  JSON.stringify((e as { body?: { detail?: unknown } }).body?.detail ?? (e as Error).message ?? String(e)).slice(
    0,
    200,
  );

/** Owners grouped by value: one request per distinct voice or model however many gyms share it. */
function byValue(entries: { value: string; owner: string }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const e of entries) m.set(e.value, [...(m.get(e.value) ?? []), e.owner]);
  return m;
}

const who = (owners: string[]): string =>
  owners.length <= 3 ? owners.join(', ') : `${owners.slice(0, 3).join(', ')} and ${owners.length - 3} more`;

export async function checkVoices(c: Config, o: VoiceCheckOptions): Promise<Finding[]> {
  const out: Finding[] = [];
  if ('unavailable' in o.voices)
    out.push(
      finding(
        'voices',
        'brand voices',
        'skipped',
        `not read: ${o.voices.unavailable}; only the configured voices are checked`,
      ),
    );
  const stored = 'unavailable' in o.voices ? [] : o.voices;
  const owned = stored.filter((v): v is OwnedVoice => 'voice' in v);
  for (const v of stored)
    if ('invalid' in v)
      out.push(
        finding(
          'voices',
          `${v.owner} voice`,
          'problem',
          `stored voice no longer valid (${v.invalid}); its calls speak the configured voices`,
        ),
      );
  if (c.OPENAI_API_KEY) out.push(...openAiFindings(c, owned));
  const eleven = [
    {
      owner: 'ELEVENLABS_VOICE_ID',
      voice: { elevenlabs: { voice_id: c.ELEVENLABS_VOICE_ID, model: c.ELEVENLABS_MODEL } },
    },
    ...owned,
  ];
  if (!c.ELEVENLABS_API_KEY)
    return [
      ...out,
      finding('voices', 'elevenlabs', 'skipped', 'no ELEVENLABS_API_KEY: ElevenLabs voices are not used'),
    ];
  if (o.offline) return [...out, finding('voices', 'elevenlabs', 'skipped', 'offline: voices not looked up')];
  const client = o.client ?? (await elevenLabsClient(c));
  const opts = { timeoutInSeconds: o.timeoutMs / 1000, maxRetries: 0 };
  const voices = byValue(
    eleven.flatMap((e) => (e.voice.elevenlabs ? [{ value: e.voice.elevenlabs.voice_id, owner: e.owner }] : [])),
  );
  await Promise.all(
    [...voices].map(async ([id, owners]) => {
      const name = `elevenlabs voice ${id}`;
      try {
        const v = await client.voices.get(id, {}, opts);
        out.push(finding('voices', name, 'ok', `exists (${v.name ?? 'unnamed'}); used by ${who(owners)}`));
      } catch (e) {
        const status = statusOf(e);
        // ElevenLabs has answered a missing voice with 404 and, earlier, 400 voice_not_found / voice_does_not_exist.
        if (status === 404 || (status === 400 && /voice_not_found|does_not_exist/.test(detailOf(e))))
          out.push(
            finding('voices', name, 'problem', `no such voice in this ElevenLabs account; used by ${who(owners)}`),
          );
        else if (status === 401 || status === 403)
          out.push(
            finding('voices', name, 'problem', `the key may not read voices (HTTP ${status}); used by ${who(owners)}`),
          );
        else
          out.push(
            finding('voices', name, 'warn', `could not be checked (${status ? `HTTP ${status}` : detailOf(e)})`),
          );
      }
    }),
  );
  const models = byValue(
    eleven.flatMap((e) => (e.voice.elevenlabs?.model ? [{ value: e.voice.elevenlabs.model, owner: e.owner }] : [])),
  );
  try {
    const listed = new Map((await client.models.list(opts)).map((m) => [m.modelId, m]));
    for (const [id, owners] of models) {
      const m = listed.get(id);
      const name = `elevenlabs model ${id}`;
      if (m === undefined)
        out.push(finding('voices', name, 'problem', `not a model of this account; used by ${who(owners)}`));
      else if (m.canDoTextToSpeech === false)
        out.push(finding('voices', name, 'problem', `cannot do text to speech; used by ${who(owners)}`));
      else out.push(finding('voices', name, 'ok', `speaks text; used by ${who(owners)}`));
    }
    out.push(...languageFindings(c, owned, listed));
  } catch (e) {
    out.push(finding('voices', 'elevenlabs models', 'warn', `could not be listed (${detailOf(e)})`));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

type ListedModel = Awaited<ReturnType<ElevenLabsVoiceApi['models']['list']>>[number];

/**
 * Whether the model each branded gym's or campaign's calls will use (its voice's or ELEVENLABS_MODEL, after the swap
 * for the language: voice-catalogue.ts) speaks that language, as the account's model list says.
 */
function languageFindings(c: Config, owned: OwnedVoice[], listed: Map<string, ListedModel>): Finding[] {
  const missing = byValue(
    owned.flatMap((e) => {
      if (e.voice.elevenlabs === undefined || e.language === undefined) return [];
      const lang = e.language.toLowerCase().split(/[-_]/)[0] ?? '';
      const { modelId } = elevenLabsModelFor(e.voice.elevenlabs.model ?? c.ELEVENLABS_MODEL, e.language);
      const langs = listed.get(modelId)?.languages;
      if (langs === undefined || langs.some((l) => l.languageId === lang)) return [];
      return [{ value: `${modelId} ${lang}`, owner: e.owner }];
    }),
  );
  return [...missing].map(([key, owners]) => {
    const [model, lang] = key.split(' ');
    return finding(
      'voices',
      `elevenlabs model ${model ?? ''} in ${lang ?? ''}`,
      'problem',
      `the account's model list says it does not speak ${lang ?? ''}; used by ${who(owners)}`,
    );
  });
}

/** OpenAI's voices are a fixed list (checked when set); what is left is whether the configured model has them. */
function openAiFindings(c: Config, owned: OwnedVoice[]): Finding[] {
  const gptOnly = /^tts-1/.test(c.OPENAI_TTS_MODEL);
  const voices = byValue([
    { value: c.OPENAI_TTS_VOICE, owner: 'OPENAI_TTS_VOICE' },
    ...owned.flatMap((e) => (e.voice.openai ? [{ value: e.voice.openai, owner: e.owner }] : [])),
  ]);
  return [...voices].map(([v, owners]) =>
    gptOnly && GPT_ONLY_VOICES.has(v)
      ? finding(
          'voices',
          `openai voice ${v}`,
          'problem',
          `only the gpt-4o speech models have it, not ${c.OPENAI_TTS_MODEL} (OPENAI_TTS_MODEL); used by ${who(owners)}`,
        )
      : finding('voices', `openai voice ${v}`, 'ok', `one of OpenAI's voices; used by ${who(owners)}`),
  );
}

/** The SDK is loaded only here, when there is something to ask (it costs an offline doctor about 2 s to import). */
async function elevenLabsClient(c: Config): Promise<ElevenLabsVoiceApi> {
  const { ElevenLabsClient } = await import('@elevenlabs/elevenlabs-js');
  return new ElevenLabsClient({
    apiKey: c.ELEVENLABS_API_KEY ?? '',
    ...(c.ELEVENLABS_BASE_URL ? { baseUrl: c.ELEVENLABS_BASE_URL } : {}),
    maxRetries: 0,
  }) as unknown as ElevenLabsVoiceApi;
}

/**
 * The voices configured outside the environment: the gyms' and campaigns' (read from the database, attached to a
 * running server's embedded one if need be) and the flow variants' (FLOWS).
 */
export async function readOwnedVoices(
  c: Config,
  timeoutMs = 5000,
): Promise<(OwnedVoice | InvalidVoice)[] | { unavailable: string }> {
  const out: (OwnedVoice | InvalidVoice)[] = [];
  try {
    const { loadFlows } = await import('../flows/load.js');
    for (const v of loadFlows(c)?.variants ?? []) {
      const e = v.voice?.elevenlabs;
      out.push({
        owner: `FLOWS variant ${v.name}`,
        voice: {
          ...(e ? { elevenlabs: { voice_id: e.voiceId } } : {}),
          ...(v.voice?.openai ? { openai: v.voice.openai as BrandVoice['openai'] } : {}),
        },
      });
    }
  } catch {
    // A bad FLOWS is the configuration section's finding.
  }
  try {
    const { openDatabase } = await import('../db/pool.js');
    const { configuredVoices } = await import('./store.js');
    const db = await openDatabase(c, {
      attachToRunning: true,
      create: false,
      migrate: false,
      max: 1,
      connectionTimeoutMs: timeoutMs,
    });
    try {
      out.push(...(await configuredVoices(db.pool)));
    } finally {
      await db.close();
    }
  } catch (e) {
    return { unavailable: `the database could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
  return out;
}
