import type { Config } from '../../config/index.js';
import { describeFetchError, finding, type Fetch, type Finding } from './types.js';

// One cheap authenticated GET per configured provider key (no audio, no tokens spent), honouring the
// *_BASE_URL overrides so the same checks run against a local fake or a compatible server. Offline, or with
// no key (that modality then uses its offline implementation), the check is reported as skipped.

export interface OnlineOptions {
  offline: boolean;
  fetch: Fetch;
  timeoutMs: number;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** Deepgram's live API is a WebSocket; its REST API lives on the same host over http(s). */
export function deepgramRestBase(base: string | undefined): string {
  if (!base) return 'https://api.deepgram.com';
  return trimSlash(base.replace(/^wss:/, 'https:').replace(/^ws:/, 'http:'));
}

interface Probe {
  name: string;
  key: string | undefined;
  keyVar: string;
  url: string;
  headers: Record<string, string>;
  /** Inspect a 2xx body; return a warning/problem text or undefined when fine. */
  inspect?: (body: unknown) => { status: 'warn' | 'problem'; detail: string } | undefined;
}

function probes(c: Config): Probe[] {
  const basic = Buffer.from(`${c.TWILIO_ACCOUNT_SID ?? ''}:${c.TWILIO_AUTH_TOKEN ?? ''}`).toString('base64');
  return [
    {
      name: 'deepgram',
      key: c.DEEPGRAM_API_KEY,
      keyVar: 'DEEPGRAM_API_KEY',
      url: `${deepgramRestBase(c.DEEPGRAM_BASE_URL)}/v1/projects`,
      headers: { authorization: `Token ${c.DEEPGRAM_API_KEY ?? ''}` },
    },
    {
      name: 'openai',
      key: c.OPENAI_API_KEY,
      keyVar: 'OPENAI_API_KEY',
      url: `${trimSlash(c.OPENAI_BASE_URL ?? 'https://api.openai.com/v1')}/models`,
      headers: { authorization: `Bearer ${c.OPENAI_API_KEY ?? ''}` },
      inspect: (body) => {
        const ids = ((body as { data?: { id?: string }[] }).data ?? []).map((m) => m.id);
        if (ids.length > 0 && !ids.includes(c.OPENAI_MODEL))
          return { status: 'warn', detail: `key works, but model ${c.OPENAI_MODEL} (OPENAI_MODEL) is not listed` };
        return undefined;
      },
    },
    {
      name: 'elevenlabs',
      key: c.ELEVENLABS_API_KEY,
      keyVar: 'ELEVENLABS_API_KEY',
      url: `${trimSlash(c.ELEVENLABS_BASE_URL ?? 'https://api.elevenlabs.io')}/v1/user`,
      headers: { 'xi-api-key': c.ELEVENLABS_API_KEY ?? '' },
      inspect: (body) => {
        const sub = (body as { subscription?: { character_count?: number; character_limit?: number } }).subscription;
        if (sub && typeof sub.character_count === 'number' && typeof sub.character_limit === 'number') {
          const left = sub.character_limit - sub.character_count;
          if (left <= 0)
            return { status: 'problem', detail: 'character quota used up: synthesis will fail (401/quota)' };
          if (left < 10_000) return { status: 'warn', detail: `only ${left} characters of quota left` };
        }
        return undefined;
      },
    },
    {
      name: 'twilio',
      key: c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN,
      keyVar: 'TWILIO_AUTH_TOKEN',
      url: `${trimSlash(c.TWILIO_API_BASE_URL ?? 'https://api.twilio.com')}/2010-04-01/Accounts/${c.TWILIO_ACCOUNT_SID ?? ''}.json`,
      headers: { authorization: `Basic ${basic}` },
      inspect: (body) => {
        const status = (body as { status?: string }).status;
        if (status && status !== 'active') return { status: 'problem', detail: `account status is ${status}` };
        return undefined;
      },
    },
  ];
}

async function getJson(
  o: OnlineOptions,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown; text: string }> {
  const res = await o.fetch(url, { headers, signal: AbortSignal.timeout(o.timeoutMs) });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the report.
  }
  return { status: res.status, body, text };
}

export async function checkProviderKeys(c: Config, o: OnlineOptions): Promise<Finding[]> {
  return Promise.all(
    probes(c).map(async (p): Promise<Finding> => {
      if (!p.key) return finding('providers', p.name, 'skipped', 'no key configured: offline implementation in use');
      if (o.offline) return finding('providers', p.name, 'skipped', `offline: ${p.keyVar} not verified`);
      try {
        const r = await getJson(o, p.url, p.headers);
        if (r.status === 401 || r.status === 403) {
          // A scoped ElevenLabs key may lack user_read yet synthesise fine: say so rather than fail.
          if (p.name === 'elevenlabs' && /missing_permissions/.test(r.text))
            return finding('providers', p.name, 'warn', 'key accepted but lacks the user_read permission');
          return finding('providers', p.name, 'problem', `${p.keyVar} rejected (HTTP ${r.status}) by ${p.url}`);
        }
        if (r.status < 200 || r.status >= 300)
          return finding('providers', p.name, 'problem', `HTTP ${r.status} from ${p.url}`);
        const verdict = p.inspect?.(r.body);
        if (verdict) return finding('providers', p.name, verdict.status, verdict.detail);
        return finding('providers', p.name, 'ok', `key accepted by ${new URL(p.url).origin}`);
      } catch (e) {
        return finding(
          'providers',
          p.name,
          'problem',
          `${new URL(p.url).origin} unreachable: ${describeFetchError(e)}`,
        );
      }
    }),
  );
}

/** The URLs Twilio must reach, and (online) whether the public health endpoint answers through the ingress. */
export async function checkPublicUrl(c: Config, o: OnlineOptions): Promise<Finding[]> {
  if (!c.PUBLIC_BASE_URL) {
    const status = c.TWILIO_ACCOUNT_SID ? 'problem' : 'skipped';
    return [finding('public-url', 'PUBLIC_BASE_URL', status, 'not set: Twilio cannot reach this server')];
  }
  const base = trimSlash(c.PUBLIC_BASE_URL);
  const ws = base.replace(/^https:/, 'wss:').replace(/^http:/, 'ws:');
  const out = [
    finding('public-url', 'voice webhook', 'ok', `${base}/twilio/voice (set as the number's "A call comes in" URL)`),
    finding('public-url', 'status callback', 'ok', `${base}/twilio/status`),
    finding('public-url', 'media stream', 'ok', `${ws}/twilio/media-stream`),
  ];
  if (o.offline) {
    out.push(finding('public-url', 'reachable', 'skipped', `offline: ${base}/healthz not fetched`));
    return out;
  }
  try {
    const r = await getJson(o, `${base}/healthz`, {});
    out.push(
      r.status === 200
        ? finding('public-url', 'reachable', 'ok', `${base}/healthz answered 200 through the ingress`)
        : finding('public-url', 'reachable', 'problem', `${base}/healthz answered HTTP ${r.status}`),
    );
  } catch (e) {
    out.push(finding('public-url', 'reachable', 'problem', `${base}/healthz: ${describeFetchError(e)}`));
  }
  if (c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_PHONE_NUMBER) out.push(await checkNumberWebhook(c, o));
  return out;
}

/** Inbound calls reach us only if the Twilio number's voice URL points here. */
async function checkNumberWebhook(c: Config, o: OnlineOptions): Promise<Finding> {
  const api = trimSlash(c.TWILIO_API_BASE_URL ?? 'https://api.twilio.com');
  const url = `${api}/2010-04-01/Accounts/${c.TWILIO_ACCOUNT_SID ?? ''}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(c.TWILIO_PHONE_NUMBER ?? '')}`;
  const auth = Buffer.from(`${c.TWILIO_ACCOUNT_SID ?? ''}:${c.TWILIO_AUTH_TOKEN ?? ''}`).toString('base64');
  const want = `${trimSlash(c.PUBLIC_BASE_URL ?? '')}/twilio/voice`;
  try {
    const r = await getJson(o, url, { authorization: `Basic ${auth}` });
    if (r.status !== 200)
      return finding('public-url', 'number webhook', 'warn', `could not read it (HTTP ${r.status})`);
    const nums = (r.body as { incoming_phone_numbers?: { voice_url?: string }[] }).incoming_phone_numbers ?? [];
    if (nums.length === 0)
      return finding('public-url', 'number webhook', 'problem', 'TWILIO_PHONE_NUMBER is not a number of this account');
    const got = nums[0]?.voice_url ?? '';
    return got === want
      ? finding('public-url', 'number webhook', 'ok', `the number's voice URL is ${want}`)
      : finding(
          'public-url',
          'number webhook',
          'warn',
          `the number's voice URL is "${got}", not ${want}: inbound calls go elsewhere`,
        );
  } catch (e) {
    return finding('public-url', 'number webhook', 'warn', `could not read it: ${describeFetchError(e)}`);
  }
}
