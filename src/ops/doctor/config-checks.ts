import { envSchema } from '../../config/env.js';
import { loadConfig, type Config } from '../../config/index.js';
import { isAppError } from '../../errors.js';
import { loadFlows } from '../../flows/load.js';
import { finding, type Finding } from './types.js';
import { chooseProviders } from '../../providers/choice.js';
import { languageSupport, RECOGNISER_LANGUAGES } from '../../language/support.js';

// Every variable of src/config/env.ts is checked and reported by name; secrets are never printed, only
// whether they are set. On top of the schema: settings that are each valid but wrong together for operations.

// A webhook URL may carry the receiver's own token in its path (automation services put one there).
const SECRET = /KEY|TOKEN|SECRET|PASSWORD|DATABASE_URL|WEBHOOK_URL/;
// Prefixes of our variables: an unknown name with one of them is most likely a typo of a real one.
const OUR_PREFIXES = [
  'TWILIO_',
  'DEEPGRAM_',
  'OPENAI_',
  'ELEVENLABS_',
  'DB_',
  'ENDPOINT_',
  'BARGE_IN_',
  'TTS_',
  'WEBHOOK_',
];

function display(name: string, raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return '(default)';
  if (SECRET.test(name)) return `set (${raw.trim().length} chars)`;
  return raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
}

function closest(name: string, known: readonly string[]): string | undefined {
  // Levenshtein distance ≤ 3 is close enough to suggest; the variable list is short.
  const dist = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j] ?? 0;
        row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length] ?? Infinity;
  };
  let best: [string, number] | undefined;
  for (const k of known) {
    const d = dist(name, k);
    if (d <= 3 && (!best || d < best[1])) best = [k, d];
  }
  return best?.[0];
}

export function checkConfig(env: Record<string, string | undefined>): { findings: Finding[]; config?: Config } {
  const out: Finding[] = [];
  const names = Object.keys(envSchema.shape);
  const parsed = envSchema.safeParse(env);
  const issues = new Map<string, string[]>();
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = String(i.path[0] ?? '(env)');
      issues.set(key, [...(issues.get(key) ?? []), i.message]);
    }
  }
  for (const name of names) {
    const raw = env[name];
    const msgs = issues.get(name);
    if (msgs) out.push(finding('config', name, 'problem', `${msgs.join('; ')} (got ${display(name, raw)})`));
    else out.push(finding('config', name, 'ok', display(name, raw)));
  }
  for (const name of Object.keys(env)) {
    if (names.includes(name) || !OUR_PREFIXES.some((p) => name.startsWith(p))) continue;
    const hint = closest(name, names);
    out.push(finding('config', name, 'warn', `unknown variable, ignored${hint ? ` (did you mean ${hint}?)` : ''}`));
  }
  if (!parsed.success) return { findings: out };

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!isAppError(e) || e.code !== 'CONFIG_INVALID') throw e;
    // Cross-field problems come as "  NAME: message" lines.
    for (const line of e.message.split('\n').slice(1)) {
      const m = /^\s*([A-Z0-9_]+): (.*)$/.exec(line);
      if (m) out.push(finding('config', m[1] ?? '(env)', 'problem', m[2] ?? line));
    }
    return { findings: out };
  }
  // A cross-setting verdict replaces the variable's plain "ok" line, so each variable is reported once.
  for (const f of [...operationalChecks(config), ...flowsChecks(config), languageCheck(config)]) {
    const i = out.findIndex((x) => x.name === f.name && x.status === 'ok');
    if (i >= 0) out[i] = f;
    else out.push(f);
  }
  return { findings: out, config };
}

/** CALL_LANGUAGE against the recogniser the configuration selects: which languages calls can be held in. */
function languageCheck(c: Config): Finding {
  let asr: 'deepgram' | 'offline';
  try {
    asr = chooseProviders(c).asr;
  } catch {
    return finding('config', 'CALL_LANGUAGE', 'skipped', 'the provider selection is invalid');
  }
  const support = languageSupport({ name: asr, languages: RECOGNISER_LANGUAGES[asr] });
  if (!support.served.includes(c.CALL_LANGUAGE))
    return finding(
      'config',
      'CALL_LANGUAGE',
      'problem',
      `${c.CALL_LANGUAGE}: ${support.summary}; calls without a language of their own would be refused`,
    );
  return finding('config', 'CALL_LANGUAGE', 'ok', `${c.CALL_LANGUAGE}; ${support.summary}`);
}

/** FLOWS read as the server reads it: each problem and each warning a finding of its own, else what it runs. */
function flowsChecks(c: Config): Finding[] {
  try {
    const flows = loadFlows(c);
    if (flows === undefined) return [];
    if (flows.warnings.length > 0) return flows.warnings.map((w) => finding('config', 'FLOWS', 'warn', w));
    const variants = flows.variants.map((v) => `${v.name} ${v.weight}%`).join(', ');
    return [finding('config', 'FLOWS', 'ok', `experiment ${flows.experiment}: ${variants}`)];
  } catch (e) {
    if (!isAppError(e) || e.code !== 'CONFIG_INVALID') throw e;
    const lines = e.message.split('\n');
    return (lines.length > 1 ? lines.slice(1) : lines).map((l) => finding('config', 'FLOWS', 'problem', l.trim()));
  }
}

function operationalChecks(c: Config): Finding[] {
  const out: Finding[] = [];
  const prod = c.NODE_ENV === 'production';
  if (c.SHUTDOWN_GRACE_MS < c.MAX_CALL_MS)
    out.push(
      finding(
        'config',
        'SHUTDOWN_GRACE_MS',
        'problem',
        `${c.SHUTDOWN_GRACE_MS} ms is shorter than MAX_CALL_MS (${c.MAX_CALL_MS} ms): a rollout would cut live calls`,
      ),
    );
  if (c.TWILIO_ACCOUNT_SID && !c.PUBLIC_BASE_URL)
    out.push(
      finding(
        'config',
        'PUBLIC_BASE_URL',
        'problem',
        'required with Twilio credentials: Twilio must reach the webhooks',
      ),
    );
  if (c.TWILIO_ACCOUNT_SID && !c.TWILIO_PHONE_NUMBER)
    out.push(finding('config', 'TWILIO_PHONE_NUMBER', 'warn', 'not set: outbound calls need a caller number'));
  if (c.PUBLIC_BASE_URL?.startsWith('http:'))
    out.push(
      finding(
        'config',
        'PUBLIC_BASE_URL',
        prod ? 'problem' : 'warn',
        'is http: Twilio needs https (and wss for the media stream)',
      ),
    );
  if (c.PUBLIC_BASE_URL) {
    const u = new URL(c.PUBLIC_BASE_URL);
    if (u.search || u.hash)
      out.push(
        finding('config', 'PUBLIC_BASE_URL', 'problem', 'must not carry a query or fragment (breaks signatures)'),
      );
  }
  if (prod && !c.API_TOKEN)
    out.push(
      finding('config', 'API_TOKEN', 'warn', 'not set in production: loopback only, and open to anyone on this host'),
    );
  if (c.LOG_LEVEL === 'debug' || c.LOG_LEVEL === 'trace')
    out.push(finding('config', 'LOG_LEVEL', prod ? 'warn' : 'ok', `${c.LOG_LEVEL}: verbose; fine for debugging`));
  return out;
}
