import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Dsp } from '../dsp/types.js';
import type { TelephonyDsp } from '../telephony/dsp-port.js';
import { signRequest } from '../telephony/signature.js';
import { GymLine } from './line.js';
import { SimulatedStream } from './media-client.js';
import type { SimReport } from './stream-report.js';

// A protocol-level fake of the Twilio REST API (the two endpoints we use) that then behaves like Twilio's call
// engine: status callbacks, the signed answer webhook, and a Media Stream driven by a pluggable callee, so
// POST /v1/calls works end to end offline with the real twilio SDK on our side.

export interface CalleeContext {
  readonly to: string;
  readonly from: string;
  readonly callSid: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** The callee's end of the call, across the streams a <Play digits> redirect replaces. */
  readonly line: GymLine;
}

/** How a line ends without being answered, in Twilio's final statuses. */
export type UnansweredStatus = 'busy' | 'no-answer' | 'failed';

/** Plays the person who picked up. It may hang up (stream.hangUp()) or wait for the agent to. */
export type Callee = (stream: SimulatedStream, ctx: CalleeContext) => void | Promise<void>;

export interface FakeTwilioOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** dtmfRender plays <Play digits> (a redirect); without it such a redirect fails. */
  readonly dsp: TelephonyDsp & Partial<Pick<Dsp, 'dtmfRender'>>;
  readonly callee?: Callee;
  /** Maps the public stream URL from the TwiML to where the simulator should connect (e.g. the local port). */
  readonly connectUrl?: (publicStreamUrl: string) => string;
  readonly speed?: number;
  readonly ringMs?: number;
  readonly record?: boolean;
  /** Answering-machine detection result to report when the call asks for it. */
  readonly answeredBy?: string;
  /** With AsyncAmd=true: how long after the stream starts the verdict is posted (Twilio: ~2-5 s; default 0). */
  readonly amdDelayMs?: number;
  /** Per dial: a number that is busy, rings out or cannot be reached this time (undefined: it answers). */
  readonly unanswered?: (to: string) => UnansweredStatus | undefined;
}

export interface FakeCall {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  status: string;
  readonly params: Readonly<Record<string, string>>;
  /** The create request's form body exactly as the SDK sent it. */
  readonly rawBody: string;
  stream: SimulatedStream | undefined;
  /** The callee's end of the call (created when it is answered). */
  line: GymLine | undefined;
  report: SimReport | undefined;
  /** Every status callback sent, in order. */
  readonly callbacks: string[];
  /** Resolves when the call has ended and its last callback was delivered. */
  readonly done: Promise<void>;
  hangupRequests: number;
  /** Times the call's TwiML was replaced over REST (the keypad's <Play digits> redirect). */
  redirects: number;
  /** Numbers a redirect's <Dial> rang (the front desk's transfer to the staff), in order. */
  readonly dialled: string[];
  /** AsyncAmdStatusCallback verdicts posted, in order. */
  readonly amdCallbacks: string[];
}

interface CallState extends FakeCall {
  readonly events: readonly string[];
  finish(status: string): Promise<void>;
}

export class FakeTwilio {
  readonly calls = new Map<string, FakeCall>();
  readonly #o: FakeTwilioOptions;
  readonly #server: Server;
  readonly #errors: Error[] = [];

  constructor(o: FakeTwilioOptions) {
    this.#o = o;
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch((e: unknown) => {
        this.#errors.push(e instanceof Error ? e : new Error(String(e)));
        if (!res.headersSent) send(res, 500, { code: 20500, message: 'fake internal error', status: 500 });
      });
    });
  }

  /** Problems the fake met while driving calls (webhook failures, refused streams), for tests to assert on. */
  get errors(): readonly Error[] {
    return this.#errors;
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    const addr = this.#server.address();
    if (addr === null || typeof addr === 'string') throw new Error('fake Twilio has no TCP address');
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.calls.values()) if (c.stream !== undefined) await c.stream.hangUp();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls(?:\/([^/]+))?\.json$/.exec(url.pathname);
    if (m === null) return send(res, 404, twilioError(20404, 'The requested resource was not found'));
    if (!this.#authorized(req) || m[1] !== this.#o.accountSid)
      return send(res, 401, twilioError(20003, 'Authentication Error - invalid username', 401));
    if (req.method !== 'POST') return send(res, 405, twilioError(20004, 'Method not allowed', 405));
    const raw = await readBody(req);
    const form = new URLSearchParams(raw);
    const body = Object.fromEntries(form);
    if (m[2] === undefined) return this.#create(res, body, form.getAll('StatusCallbackEvent'), raw);
    return this.#update(res, m[2], body);
  }

  #authorized(req: IncomingMessage): boolean {
    const expected = Buffer.from(
      'Basic ' + Buffer.from(`${this.#o.accountSid}:${this.#o.authToken}`).toString('base64'),
    );
    const got = Buffer.from(req.headers.authorization ?? '');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  #create(res: ServerResponse, p: Record<string, string>, events: string[], rawBody: string): void {
    if (!p.To || !p.From || !(p.Url || p.Twiml))
      return send(res, 400, twilioError(21205, 'To, From and Url (or Twiml) are required', 400));
    const call = this.#newCall(p, events, rawBody);
    send(res, 201, callJson(this.#o.accountSid, call));
    setImmediate(() => void this.#drive(call).catch((e: unknown) => this.#fail(call, e)));
  }

  /**
   * A person rings one of our numbers (`to`), as Twilio delivers it: the signed voice webhook at `voiceUrl` with
   * Direction inbound, then the media stream its TwiML connects, played by `callee` (here the caller). The call is
   * in `calls` like a placed one, so REST updates (a transfer's <Dial>, a hang-up) reach it.
   */
  async ringInbound(o: { voiceUrl: string; from: string; to: string; callee?: Callee }): Promise<FakeCall> {
    const call = this.#newCall({ To: o.to, From: o.from, Url: o.voiceUrl, Direction: 'inbound' }, [], '');
    call.status = 'ringing';
    const twiml = await this.#webhook(call, o.voiceUrl, { CallStatus: 'ringing' });
    const stream = streamOfTwiml(twiml);
    if (stream === undefined) {
      await call.finish('completed');
      return call;
    }
    call.status = 'in-progress';
    const line = new GymLine(this.#o.speed ?? 1);
    call.line = line;
    const s = await this.#connect(call, stream);
    const callee = o.callee ?? this.#o.callee;
    void Promise.resolve(
      callee?.(s, { to: call.to, from: call.from, callSid: call.sid, parameters: stream.parameters, line }),
    ).catch((e: unknown) => this.#fail(call, e));
    return call;
  }

  #newCall(p: Record<string, string>, events: string[], rawBody: string): CallState {
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const call: CallState = {
      sid: 'CA' + randomBytes(16).toString('hex'),
      to: p.To ?? '',
      from: p.From ?? '',
      status: 'queued',
      params: p,
      rawBody,
      stream: undefined,
      line: undefined,
      report: undefined,
      callbacks: [],
      amdCallbacks: [],
      events,
      done,
      hangupRequests: 0,
      redirects: 0,
      dialled: [],
      finish: async (status) => {
        if (FINAL.has(call.status)) return;
        call.status = status;
        call.line?.end();
        await this.#callback(call, status);
        finished();
      },
    };
    this.calls.set(call.sid, call);
    return call;
  }

  async #update(res: ServerResponse, sid: string, p: Record<string, string>): Promise<void> {
    const call = this.calls.get(sid) as CallState | undefined;
    const redirect = p.Twiml !== undefined || p.Url !== undefined;
    if (call !== undefined && !redirect) call.hangupRequests++;
    if (call === undefined || FINAL.has(call.status))
      return send(res, 404, twilioError(20404, `The requested resource /Calls/${sid}.json was not found`));
    if (redirect && p.Status === undefined) {
      // Twilio answers at once and then replaces what the call is doing with the new TwiML.
      send(res, 200, callJson(this.#o.accountSid, call));
      setImmediate(() => void this.#redirect(call, p).catch((e: unknown) => this.#fail(call, e)));
      return;
    }
    if (p.Status !== 'completed' && p.Status !== 'canceled')
      return send(res, 400, twilioError(21220, 'only Status=completed/canceled is supported by this fake', 400));
    // Twilio ends the media stream (stop), then reports the final status.
    if (call.stream !== undefined) call.report = await call.stream.hangUp();
    await call.finish(call.stream === undefined ? 'canceled' : 'completed');
    send(res, 200, callJson(this.#o.accountSid, call));
  }

  /**
   * A live call's new TwiML (calls.update({ twiml }) or { url }): Twilio stops the media stream (stop, then the
   * socket closes), runs the verbs in order (<Play digits> as tones on the call, which the callee hears like any
   * keypad; <Pause>; <Hangup/>), and a <Connect><Stream> opens a new stream with its own <Parameter>s. A call whose
   * TwiML runs out without a stream ends.
   */
  async #redirect(call: CallState, p: Record<string, string>): Promise<void> {
    const twiml = p.Twiml ?? (await this.#webhook(call, p.Url as string, { CallStatus: 'in-progress' }));
    call.redirects++;
    const old = call.stream;
    call.stream = undefined;
    call.line?.detach();
    if (old !== undefined) await old.hangUp();
    for (const verb of twimlVerbs(twiml)) {
      if (FINAL.has(call.status)) return;
      if (verb.kind === 'play-digits') await this.#playDigits(call, verb.digits);
      else if (verb.kind === 'pause') await sleep((verb.seconds * 1000) / (this.#o.speed ?? 1));
      else if (verb.kind === 'hangup') return call.finish('completed');
      else if (verb.kind === 'dial') {
        // The staff's phone is not simulated: it is rung (recorded), and the caller's leg ends with it.
        call.dialled.push(verb.number);
        return call.finish('completed');
      } else {
        await this.#connect(call, verb.stream);
        return;
      }
    }
    await call.finish('completed');
  }

  /** <Play digits>: Twilio's tones on the call, heard by the callee in real time between streams. */
  async #playDigits(call: CallState, digits: string): Promise<void> {
    const render = this.#o.dsp.dtmfRender;
    if (render === undefined) throw new Error('this fake Twilio was given no DTMF renderer (dsp.dtmfRender)');
    const tones = render(digits, PLAY_DIGITS_TONE_MS, PLAY_DIGITS_TONE_MS);
    for (let off = 0; off < tones.length && !FINAL.has(call.status); off += 160) {
      call.line?.play(tones.subarray(off, off + 160));
      await sleep(20 / (this.#o.speed ?? 1));
    }
  }

  /** Opens the media stream a <Connect><Stream> names, on the call's line (the callee stays on it). */
  async #connect(
    call: CallState,
    target: { url: string; parameters: Record<string, string> },
  ): Promise<SimulatedStream> {
    const s = await SimulatedStream.connect({
      url: this.#o.connectUrl?.(target.url) ?? target.url,
      signedUrl: target.url,
      authToken: this.#o.authToken,
      dsp: this.#o.dsp,
      customParameters: target.parameters,
      callSid: call.sid,
      accountSid: this.#o.accountSid,
      speed: this.#o.speed ?? 1,
      record: this.#o.record ?? false,
    });
    call.stream = s;
    call.line?.attach(s);
    void s.closed.then(async () => {
      // A stream that a redirect replaced does not end the call.
      if (call.stream !== s) return;
      call.report ??= s.report();
      await call.finish('completed');
    });
    return s;
  }

  async #drive(call: CallState): Promise<void> {
    const unanswered = this.#o.unanswered?.(call.to);
    await this.#callback(call, 'initiated');
    // Twilio: a failed call never rings; busy and no-answer ring first, then end with that status, unanswered.
    if (unanswered === 'failed') return call.finish('failed');
    await this.#callback(call, 'ringing');
    await new Promise((r) => setTimeout(r, this.#o.ringMs ?? 0));
    if (FINAL.has(call.status)) return;
    if (unanswered !== undefined) return call.finish(unanswered);
    call.status = 'in-progress';
    // Synchronous detection answers in the webhook; asynchronous (AsyncAmd=true) posts its verdict separately.
    const asyncAmd = call.params.AsyncAmd === 'true' && call.params.AsyncAmdStatusCallback !== undefined;
    const amd: Record<string, string> =
      call.params.MachineDetection && !asyncAmd ? { AnsweredBy: this.#o.answeredBy ?? 'human' } : {};
    const twiml = await this.#webhook(call, call.params.Url as string, { CallStatus: 'in-progress', ...amd });
    await this.#callback(call, 'answered', amd);
    const stream = streamOfTwiml(twiml);
    if (stream === undefined) return call.finish('completed'); // <Hangup/> or anything else: the call ends
    const { parameters } = stream;
    const line = new GymLine(this.#o.speed ?? 1);
    call.line = line;
    const s = await this.#connect(call, stream);
    if (asyncAmd) setTimeout(() => void this.#amdVerdict(call), this.#o.amdDelayMs ?? 0);
    await this.#o.callee?.(s, { to: call.to, from: call.from, callSid: call.sid, parameters, line });
  }

  /** Twilio's AsyncAmdStatusCallback: signed like every webhook, once, unless the call ended meanwhile. */
  async #amdVerdict(call: CallState): Promise<void> {
    const url = call.params.AsyncAmdStatusCallback;
    if (url === undefined || FINAL.has(call.status)) return;
    const verdict = {
      AccountSid: this.#o.accountSid,
      CallSid: call.sid,
      AnsweredBy: this.#o.answeredBy ?? 'human',
      MachineDetectionDuration: String(this.#o.amdDelayMs ?? 0),
    };
    call.amdCallbacks.push(verdict.AnsweredBy);
    try {
      await this.#post(url, verdict);
    } catch (e) {
      this.#errors.push(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #fail(call: CallState, e: unknown): void {
    this.#errors.push(e instanceof Error ? e : new Error(String(e)));
    void call.finish('failed');
  }

  async #webhook(call: FakeCall, url: string, extra: Record<string, string>): Promise<string> {
    const params: Record<string, string> = {
      AccountSid: this.#o.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: call.status,
      Direction: call.params.Direction ?? 'outbound-api',
      From: call.from,
      To: call.to,
      ...extra,
    };
    return this.#post(url, params);
  }

  /** A signed form POST to one of our webhooks, as Twilio makes it; the body of a 2xx answer. */
  async #post(url: string, params: Record<string, string>): Promise<string> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signRequest(this.#o.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`webhook ${new URL(url).pathname} answered HTTP ${res.status}`);
    return text;
  }

  async #callback(call: CallState, event: string, extra: Record<string, string> = {}): Promise<void> {
    const url = call.params.StatusCallback;
    const wanted = call.events;
    call.callbacks.push(event);
    if (url === undefined || (wanted.length > 0 && !wanted.includes(event) && !FINAL.has(event))) return;
    const status = event === 'answered' ? 'in-progress' : event;
    try {
      await this.#webhook({ ...call, status }, url, { CallStatus: status, ...extra });
    } catch (e) {
      this.#errors.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
/** Tone and gap of Twilio's <Play digits> (not documented; 100 ms each is within every receiver's range). */
export const PLAY_DIGITS_TONE_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type TwimlVerb =
  | { kind: 'play-digits'; digits: string }
  | { kind: 'pause'; seconds: number }
  | { kind: 'hangup' }
  | { kind: 'dial'; number: string }
  | { kind: 'stream'; stream: { url: string; parameters: Record<string, string> } };

/** The verbs of a TwiML document this fake runs, in order; verbs it does not model (<Say>, <Play url>) are skipped. */
export function twimlVerbs(twiml: string): TwimlVerb[] {
  const out: TwimlVerb[] = [];
  for (const m of twiml.matchAll(/<(Play|Pause|Hangup|Connect|Dial)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g)) {
    const attrs = m[2] ?? '';
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
    if (m[1] === 'Play') {
      const digits = attr('digits');
      if (digits !== undefined) out.push({ kind: 'play-digits', digits: unescapeXml(digits) });
    } else if (m[1] === 'Pause') out.push({ kind: 'pause', seconds: Number(attr('length') ?? '1') });
    else if (m[1] === 'Hangup') out.push({ kind: 'hangup' });
    else if (m[1] === 'Dial') {
      const number = /([+]?\d{7,15})/.exec(m[4] ?? '')?.[1];
      if (number !== undefined) out.push({ kind: 'dial', number });
    } else {
      const stream = streamOfTwiml(m[0]);
      if (stream !== undefined) out.push({ kind: 'stream', stream });
    }
  }
  return out;
}

function callJson(accountSid: string, c: FakeCall) {
  return {
    sid: c.sid,
    account_sid: accountSid,
    to: c.to,
    from: c.from,
    status: c.status,
    direction: 'outbound-api',
    api_version: '2010-04-01',
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${c.sid}.json`,
  };
}

function twilioError(code: number, message: string, status = 404) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The media stream a TwiML answer connects (its URL and <Parameter>s), as Twilio reads it; undefined if none. */
export function streamOfTwiml(twiml: string): { url: string; parameters: Record<string, string> } | undefined {
  const stream = /<Stream\s+url="([^"]+)"/.exec(twiml);
  if (stream === null) return undefined;
  const parameters: Record<string, string> = {};
  for (const pm of twiml.matchAll(/<Parameter\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g))
    parameters[unescapeXml(pm[1] as string)] = unescapeXml(pm[2] as string);
  return { url: unescapeXml(stream[1] as string), parameters };
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '',
  );
}
