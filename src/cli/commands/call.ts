import { loadConfig } from '../../config/index.js';
import { E164 } from '../../telephony/calls-api.js';
import { outcomeLines } from '../call-outcome.js';
import { languageFrom, LANGUAGES } from '../../language/index.js';

// `gym-agent call +12015550123 "Gym Name"`: places an outbound call through a running server's POST /v1/calls
// (the server must be up anyway: Twilio calls its webhooks and media stream). With --wait it follows the call
// until it ends and prints what it came to (outcome, keys pressed, time on hold, refusals, callback). Exit 0 = placed
// (or, with --wait, completed), 1 = refused or failed, 2 = bad arguments.

const USAGE = `usage: gym-agent call <+E164 number> <gym name> [--server URL] [--language en|es] [--wait] [--json]
  --server URL  the server's base URL (default http://127.0.0.1:$PORT)
  --language L  the call's language (default: the server's CALL_LANGUAGE)
  --wait        poll GET /v1/calls/{id} until the call has ended, then print its outcome
  --json        print the API's JSON answers only
API_TOKEN from the environment is sent as the bearer token.`;

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const END_WAIT_POLLS = 5;

export interface CallCommandIo {
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  out(s: string): void;
  err(s: string): void;
  pollMs?: number;
}

export function run(args: string[]): Promise<number> {
  return callCommand(args, {
    env: process.env,
    fetch: globalThis.fetch,
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
  });
}

export async function callCommand(args: string[], io: CallCommandIo): Promise<number> {
  const positional: string[] = [];
  let server: string | undefined;
  let language: string | undefined;
  let wait = false;
  let jsonOut = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return 0;
    } else if (a === '--server') server = args[++i];
    else if (a === '--language') language = args[++i];
    else if (a === '--wait') wait = true;
    else if (a === '--json') jsonOut = true;
    else if (a.startsWith('--')) return usage(io, `unknown option ${a}`);
    else positional.push(a);
  }
  const [phone, gym] = positional;
  if (positional.length !== 2 || phone === undefined || gym === undefined)
    return usage(io, 'need a number and a gym name');
  if (!E164.test(phone)) return usage(io, 'the number must be E.164, e.g. +12015550123');
  if (gym.trim() === '') return usage(io, 'the gym name must not be empty');
  const lang = language === undefined ? undefined : languageFrom(language);
  if (language !== undefined && lang === undefined)
    return usage(io, `--language must be one of ${LANGUAGES.join(', ')}`);
  const cfg = loadConfig(io.env);
  const base = (server ?? `http://127.0.0.1:${cfg.PORT}`).replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cfg.API_TOKEN !== undefined) headers.authorization = `Bearer ${cfg.API_TOKEN}`;

  let res: Response;
  try {
    res = await io.fetch(`${base}/v1/calls`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ phone_number: phone, gym_name: gym, ...(lang === undefined ? {} : { language: lang }) }),
    });
  } catch (e) {
    io.err(`gym-agent call: cannot reach the server at ${base} (${(e as Error).message}); is it running (npm start)?`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const err = body.error as { code?: string; message?: string } | undefined;
    io.err(`gym-agent call: ${res.status} ${err?.code ?? ''}: ${err?.message ?? 'request failed'}`);
    return 1;
  }
  io.out(
    jsonOut
      ? JSON.stringify(body)
      : `call ${String(body.call_id)} placed (Twilio ${String(body.twilio_call_sid)}), status ${String(body.status)}`,
  );
  if (!wait) return 0;

  let last = String(body.status);
  // Twilio's final status can arrive before the agent's session has written the call's end (its outcome): a few
  // more polls wait for it.
  let afterFinal = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, io.pollMs ?? 2000));
    const r = await io.fetch(`${base}/v1/calls/${encodeURIComponent(String(body.call_id))}`, { headers });
    const cur = (await r.json().catch(() => ({}))) as Record<string, unknown>;
    if (!r.ok) {
      io.err(`gym-agent call: status check failed with HTTP ${r.status}`);
      return 1;
    }
    const status = String(cur.status);
    if (status !== last && !jsonOut) io.out(`status ${status}`);
    last = status;
    if (!FINAL.has(status)) continue;
    if (cur.end_reason == null && ++afterFinal <= END_WAIT_POLLS) continue;
    io.out(jsonOut ? JSON.stringify(cur) : outcomeLines(cur).join('\n'));
    return status === 'completed' ? 0 : 1;
  }
}

function usage(io: CallCommandIo, why: string): number {
  io.err(`gym-agent call: ${why}\n${USAGE}`);
  return 2;
}
