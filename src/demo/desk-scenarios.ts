import { randomUUID } from 'node:crypto';
import type { Dsp } from '../dsp/types.js';
import { synthesizePhoneAudio } from '../audio/speech.js';
import { createCall } from '../db/repositories/calls.js';
import { recordFacts } from '../db/repositories/facts.js';
import type { GymFacts } from '../facts/model.js';
import type { TtsProvider } from '../providers/tts/types.js';
import type { SimulatedStream } from '../sim/media-client.js';
import { judge, type AnswerVerdict } from './desk-check.js';
import { deskFacts, type DeskPersona } from './desk-persona.js';
import type { DemoEnvironment } from './environment.js';

// The front-desk personas through the real server: the gym and the facts its interviews left are stored, our
// number is set to front-desk for it over the API, and the fake Twilio rings that number from the caller's phone
// (the signed voice webhook, then a media stream). The caller speaks each line with flite's slt voice once the
// agent has finished speaking, exactly as a phone carries it; the agent hears it through its own recogniser. After
// the call the stored transcript, message and transfer are read back through the API and judged (desk-check.ts).

export interface DeskTurnResult {
  readonly say: string;
  readonly heard: string | undefined;
  readonly reply: string;
  readonly verdict: AnswerVerdict;
}

export interface DeskOutcome {
  readonly persona: DeskPersona;
  readonly callId: string | undefined;
  readonly turns: DeskTurnResult[];
  readonly invented: number;
  readonly message: 'recorded' | 'missing' | 'wrong' | 'n/a';
  readonly transfer: 'recorded' | 'missing' | 'n/a';
  readonly endReason: string | null;
  readonly failures: string[];
}

interface CallBody {
  end_reason: string | null;
  transcript: Array<{ speaker: 'agent' | 'caller'; text: string; start_ms: number | null }>;
  messages: Array<{ name: string; callback_number: string; reason: string }>;
  transfer: { to: string; status: string } | null;
}

async function api<T>(env: DemoEnvironment, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${env.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${env.apiToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
}

/** The gym and the facts an earlier interview stored for it, then our number set to front-desk for it. */
async function prepare(env: DemoEnvironment, p: DeskPersona, facts: GymFacts): Promise<void> {
  const pool = env.server.db.pool;
  const g = await pool.query<{ id: string }>(
    `INSERT INTO gyms (name, phone, timezone, region, subdivision, subdivision_source) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (phone) WHERE phone IS NOT NULL DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [
      p.gym.name,
      p.gym.phone,
      p.gym.timeZone,
      p.gym.region,
      p.gym.subdivision ?? null,
      p.gym.subdivision ? 'row' : null,
    ],
  );
  const gymId = Number(g.rows[0]?.id);
  const callId = `seed-${p.name}-${randomUUID()}`;
  const at = new Date();
  await createCall(pool, { callId, direction: 'outbound', gymId, phoneNumber: p.gym.phone, status: 'completed', at });
  await recordFacts(pool, callId, facts, at);
  const number = encodeURIComponent(p.gym.number);
  await api(env, 'PUT', `/v1/numbers/${number}`, {
    gym_id: gymId,
    mode: 'front-desk',
    staff_number: p.gym.staff ?? null,
  });
}

/** Waits for the agent to start speaking after `since` (at most 12 s), then to be quiet for 1.5 s. */
async function agentFinished(stream: SimulatedStream, lastAudio: () => number, since: number): Promise<void> {
  const deadline = Date.now() + 12_000;
  while (lastAudio() <= since && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await stream.agentIdle(1500);
}

export async function runDeskPersona(
  env: DemoEnvironment,
  p: DeskPersona,
  o: { tts: TtsProvider; dsp: Pick<Dsp, 'createResampler' | 'ulawEncode' | 'ulawDecode'> },
): Promise<DeskOutcome> {
  const facts = deskFacts(p.facts);
  await prepare(env, p, facts);
  const now = new Date();
  const lines = await Promise.all(p.turns.map((t) => synthesizePhoneAudio(o.tts, o.dsp, t.say)));
  let callId: string | undefined;
  let caller: Promise<void> = Promise.resolve();
  // When each line began, on the stream's media clock (the one the stored turns' start_ms count on).
  const lineStarts: number[] = [];
  const call = await env.twilio.ringInbound({
    voiceUrl: `${env.baseUrl}/twilio/voice`,
    from: p.caller.from,
    to: p.gym.number,
    callee: (stream, ctx) => {
      callId = ctx.parameters.callId;
      let last = 0;
      stream.onAgentAudio(() => (last = Date.now()));
      caller = (async () => {
        await agentFinished(stream, () => last, 0);
        for (const [i, t] of p.turns.entries()) {
          lineStarts.push(stream.nowMs());
          await stream.say((lines[i] as { pcm: Int16Array }).pcm);
          // The answer is the agent's audio after the line has been said (not the tail of what it said before).
          const since = Date.now();
          if (t.expect !== undefined && 'step' in t.expect && t.expect.step !== 'message') break;
          await agentFinished(stream, () => last, since);
        }
        // The last line said: wait for the agent's goodbye or the transfer to end the call, then hang up.
        await Promise.race([stream.closed, new Promise((r) => setTimeout(r, 15_000))]);
        await stream.hangUp();
      })();
    },
  });
  await caller;
  await call.done;
  await env.server.flush(5000);
  if (callId === undefined) throw new Error('the call never reached the agent');
  const body = await api<CallBody>(env, 'GET', `/v1/calls/${encodeURIComponent(callId)}`);
  return judgeCall(p, facts, body, { dialled: call.dialled, lineStarts }, callId, now);
}

function judgeCall(
  p: DeskPersona,
  facts: GymFacts,
  body: CallBody,
  call: { dialled: readonly string[]; lineStarts: readonly number[] },
  callId: string,
  now: Date,
): DeskOutcome {
  const dialled = call.dialled;
  // A line's answer is what the agent began saying between the start of that line and the start of the next one, on
  // the media clock: a line the recogniser cut in two (two caller turns) still gets its one answer.
  const between = (speaker: 'agent' | 'caller', from: number, to: number) =>
    body.transcript
      .filter((x) => x.speaker === speaker && x.start_ms !== null && x.start_ms >= from && x.start_ms < to)
      .map((x) => x.text)
      .join(' ');
  const turns = p.turns.map((turn, i): DeskTurnResult => {
    const from = (call.lineStarts[i] ?? Infinity) - 250;
    const to = (call.lineStarts[i + 1] ?? Infinity) - 250;
    const reply = between('agent', from, to);
    const heard = between('caller', from, to);
    return {
      say: turn.say,
      heard: heard === '' ? undefined : heard,
      reply,
      verdict: judge(p, facts, turn.expect, reply, now),
    };
  });
  const failures: string[] = [];
  for (const [i, r] of turns.entries())
    if (!r.verdict.ok)
      failures.push(
        `line ${i + 1}: "${r.reply}" is not ${r.verdict.wanted.kind === 'unknown' ? 'said to be unknown' : 'the stored answer'}`,
      );
  const invented = turns.reduce((n, r) => n + r.verdict.invented.length, 0);
  if (invented > 0)
    failures.push(`${invented} invented fact(s): ${turns.flatMap((r) => r.verdict.invented).join(', ')}`);
  const m = p.message;
  const got = body.messages[0];
  const message =
    m === undefined
      ? 'n/a'
      : got === undefined
        ? 'missing'
        : got.name.toLowerCase() === m.name.toLowerCase() &&
            got.callback_number === m.callbackNumber &&
            got.reason.toLowerCase().includes(m.reason.toLowerCase())
          ? 'recorded'
          : 'wrong';
  if (message === 'missing' || message === 'wrong') failures.push(`message ${message}: ${JSON.stringify(got ?? null)}`);
  const wantsTransfer = p.turns.some((x) => 'step' in x.expect && x.expect.step === 'transfer');
  const transfer = !wantsTransfer
    ? 'n/a'
    : body.transfer?.to === p.gym.staff && body.transfer?.status === 'dialling' && dialled.includes(p.gym.staff ?? '')
      ? 'recorded'
      : 'missing';
  if (transfer === 'missing')
    failures.push(`transfer not recorded (${JSON.stringify(body.transfer)}, dialled ${dialled.join(',') || 'none'})`);
  return { persona: p, callId, turns, invented, message, transfer, endReason: body.end_reason, failures };
}

/** Per persona: each answer and its verdict, invented facts, message and transfer. */
export function formatDeskResults(outcomes: readonly DeskOutcome[]): string {
  const out: string[] = [];
  for (const o of outcomes) {
    out.push(`${o.persona.name}  (call ${o.callId ?? '-'}, end ${o.endReason ?? '-'})`);
    for (const t of o.turns) {
      const w = t.verdict.wanted;
      const verdict =
        w.kind === 'none'
          ? ''
          : w.kind === 'unknown'
            ? t.verdict.ok
              ? 'unknown, said unknown'
              : 'NOT said unknown'
            : t.verdict.ok
              ? 'matches the facts'
              : 'DOES NOT match';
      out.push(`  caller: ${t.say}`);
      out.push(`  heard:  ${t.heard ?? '(nothing)'}`);
      out.push(`  agent:  ${t.reply || '(nothing)'}${verdict ? `   [${verdict}]` : ''}`);
    }
    out.push(
      `  invented facts: ${o.invented}   message: ${o.message}   transfer: ${o.transfer}   ${o.failures.length === 0 ? 'ok' : `FAIL: ${o.failures.join('; ')}`}`,
    );
  }
  const total = outcomes.reduce((n, o) => n + o.invented, 0);
  out.push(
    `front desk: ${outcomes.filter((o) => o.failures.length === 0).length}/${outcomes.length} personas ok, ${total} invented facts`,
  );
  return out.join('\n');
}
