import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { codeWord, mulawDbfs } from './audio.js';
import { FakeHttpServer, jsonResponse } from './server.js';
import { readSpelling, symbolOf } from './spelled.js';

// Deepgram live transcription (WS /v1/listen), as spoken to by @deepgram/sdk 5. Transcripts are a
// function of the audio received, timed in audio time (10 ms frames), so a replay after a reconnect
// yields the same words:
//  - coded mode (a `vocabulary`): each word is a run of one μ-law code byte (see encodeCodedSpeech);
//  - spelled mode (`spelled`): real speech whose words are spelled in its audio (spelled.ts), any language;
//  - energy mode (`lines`): loud audio is speech; each utterance is transcribed as the next script line. Its
//    interim results come every `interimMs` of audio while an utterance is open (Deepgram's own docs show them
//    about once a second) and hold the words heard so far: one per run of voice (the simulator's words are runs
//    separated by short gaps) that has lasted `interimWordMs`, so a word shows while it is still being spoken.
// Endpointing, interim results, UtteranceEnd, SpeechStarted, KeepAlive, Finalize, CloseStream and the
// 10 s idle close (NET-0001) follow the real service.

export interface FakeDeepgramOptions {
  apiKey?: string;
  vocabulary?: readonly string[];
  /** Spelled mode: the words are read from the audio's spelling (spelled.ts). */
  spelled?: boolean;
  lines?: readonly string[];
  /** Delay of every final (and what follows it) after the audio that triggers it. */
  finalDelayMs?: number;
  /** Close with 1011 NET-0001 after this long without audio or KeepAlive. */
  idleTimeoutMs?: number;
  /** Energy-mode speech threshold. */
  speechDbfs?: number;
  /** Energy mode: an interim result every this many ms of audio while an utterance is open (default 500). */
  interimMs?: number;
  /** Energy mode: a run of voice shows as a word in interims once this much of it is heard (default 100). */
  interimWordMs?: number;
  /** Delay of every interim after the audio that triggers it (the recogniser's latency; default 0). */
  interimDelayMs?: number;
}

export interface ConnectionStats {
  query: Record<string, string>;
  /** Every keyterm=… parameter, in order (a repeated parameter is one term each). */
  keyterms: string[];
  bytes: number;
  /** Binary (audio) messages received. */
  audioMessages: number;
  keepAlives: number;
  finalizes: number;
  closeStreams: number;
  sent: Record<string, unknown>[];
  closeCode: number | undefined;
}

interface Word {
  word: string;
  start: number;
  end: number;
}

const FRAME_MS = 10;
const FRAME_BYTES = 80;

export class FakeDeepgram {
  readonly connections: ConnectionStats[] = [];
  /** Per upgrade attempt, in order: answer this HTTP status instead of upgrading (e.g. 503, 429). */
  readonly rejectUpgrades: number[] = [];
  /** Per connection, in order of their first audio: terminate abruptly once it received this many bytes. */
  readonly dropAfterBytes: number[] = [];
  finalDelayMs: number;
  private readonly opts: FakeDeepgramOptions;
  private readonly http: FakeHttpServer;
  private readonly wss = new WebSocketServer({ noServer: true });
  private lineIndex = 0;

  constructor(opts: FakeDeepgramOptions = {}) {
    this.opts = opts;
    this.finalDelayMs = opts.finalDelayMs ?? 0;
    this.http = new FakeHttpServer((_req, res) => jsonResponse(res, 404, { err_code: 'NOT_FOUND' }));
    this.http.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
  }

  async start(port = 0): Promise<this> {
    await this.http.listen(port);
    return this;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.http.boundPort}`;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await this.http.close();
  }

  /** Energy mode: the next line to be used (advances only when a final is sent, like the acked audio). */
  takeLine(): string {
    const lines = this.opts.lines ?? [];
    return lines[this.lineIndex] ?? '';
  }

  advanceLine(): void {
    this.lineIndex++;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{}`);
    };
    if (url.pathname !== '/v1/listen') return reject(404, 'Not Found');
    if (this.opts.apiKey !== undefined && req.headers.authorization !== `Token ${this.opts.apiKey}`) {
      return reject(401, 'Unauthorized');
    }
    // As Deepgram: keyterms are Nova-3's, at most 100 of them.
    const keyterms = url.searchParams.getAll('keyterm');
    if (keyterms.length > 0 && !/^nova-3/.test(url.searchParams.get('model') ?? '')) return reject(400, 'Bad Request');
    if (keyterms.length > 100) return reject(400, 'Bad Request');
    const status = this.rejectUpgrades.shift();
    if (status !== undefined) return reject(status, 'Rejected');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const stats: ConnectionStats = {
        query: Object.fromEntries(url.searchParams),
        keyterms,
        bytes: 0,
        audioMessages: 0,
        keepAlives: 0,
        finalizes: 0,
        closeStreams: 0,
        sent: [],
        closeCode: undefined,
      };
      this.connections.push(stats);
      new Session(this, ws, stats, this.opts);
    });
  }
}

class Session {
  private pending = new Uint8Array(0);
  private audioMs = 0;
  private cursorMs = 0;
  private words: Word[] = [];
  private current: { code: number; start: number; symbols: number[] } | undefined;
  private speechStart: number | undefined;
  private lastSpeechEnd: number | undefined;
  private inSpeech = false;
  private utteranceEndSent = true;
  private lastInterimAt = 0;
  /** Energy mode: runs of voice in the open utterance (each a word), and how long the current one has lasted. */
  private runs = 0;
  private runMs = 0;
  private gapMs = 0;
  /** When the last message is due: sends keep their order, each waits only its own delay. */
  private lastDue = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private dropAfter: number | undefined;
  private out: Promise<void> = Promise.resolve();
  private readonly interim: boolean;
  private readonly endpointingMs: number | undefined;
  private readonly utteranceEndMs: number | undefined;
  private readonly vadEvents: boolean;

  constructor(
    private readonly fake: FakeDeepgram,
    private readonly ws: WebSocket,
    private readonly stats: ConnectionStats,
    private readonly opts: FakeDeepgramOptions,
  ) {
    const q = stats.query;
    this.interim = q.interim_results === 'true';
    // Deepgram's default endpointing is 10 ms; "false" disables speech_final by silence.
    this.endpointingMs =
      q.endpointing === 'false' ? undefined : q.endpointing === undefined ? 10 : Number(q.endpointing);
    this.utteranceEndMs = q.utterance_end_ms ? Number(q.utterance_end_ms) : undefined;
    this.vadEvents = q.vad_events === 'true';
    ws.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? this.audio(data) : this.control(data)));
    ws.on('close', (code) => {
      stats.closeCode = code;
      clearTimeout(this.idleTimer);
    });
    this.touch();
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    const ms = this.opts.idleTimeoutMs ?? 10_000;
    this.idleTimer = setTimeout(() => {
      this.ws.close(1011, 'NET-0001: no audio received within the timeout');
    }, ms);
    this.idleTimer.unref();
  }

  private send(msg: Record<string, unknown>, delayMs = 0): void {
    // One FIFO in order: a delayed final also delays whatever follows it, as a slow recogniser would; each message
    // is due its own delay after the audio that triggered it (two delayed ones in a row do not add up).
    const due = Math.max(performance.now() + delayMs, this.lastDue);
    this.lastDue = due;
    this.out = this.out.then(async () => {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.stats.sent.push(msg);
      this.ws.send(JSON.stringify(msg));
    });
  }

  private control(data: Buffer): void {
    let msg: { type?: string };
    try {
      msg = JSON.parse(data.toString('utf8')) as { type?: string };
    } catch {
      this.ws.close(1008, 'DATA-0000: invalid JSON');
      return;
    }
    if (msg.type === 'KeepAlive') {
      this.stats.keepAlives++;
      this.touch();
    } else if (msg.type === 'Finalize') {
      this.stats.finalizes++;
      this.flush(true);
    } else if (msg.type === 'CloseStream') {
      this.stats.closeStreams++;
      this.flush(true);
      this.send({ type: 'Metadata', request_id: 'fake', duration: this.audioMs / 1000, channels: 1 });
      this.out = this.out.then(() => this.ws.close(1000));
    }
  }

  private audio(data: Buffer): void {
    this.touch();
    this.stats.bytes += data.length;
    this.stats.audioMessages++;
    this.dropAfter ??= this.fake.dropAfterBytes.shift();
    if (this.dropAfter !== undefined && this.stats.bytes >= this.dropAfter) {
      this.ws.terminate();
      return;
    }
    const merged = new Uint8Array(this.pending.length + data.length);
    merged.set(this.pending);
    merged.set(data, this.pending.length);
    let off = 0;
    for (; off + FRAME_BYTES <= merged.length; off += FRAME_BYTES) this.frame(merged.subarray(off, off + FRAME_BYTES));
    this.pending = merged.slice(off);
  }

  private frame(f: Uint8Array): void {
    const start = this.audioMs;
    const end = (this.audioMs += FRAME_MS);
    const spelled = this.opts.spelled === true;
    const coded = this.opts.vocabulary !== undefined || spelled;
    const middle = f[FRAME_BYTES >> 1] as number;
    const code = spelled ? symbolOf(middle) : coded ? codeWord(middle) : undefined;
    const speech = coded ? code !== undefined : mulawDbfs(f) > (this.opts.speechDbfs ?? -45);
    // A spelled word goes on while its symbols do (each 10 ms carries the next letter); a coded one while its code.
    if (coded && this.current && (spelled ? code === undefined : code !== this.current.code)) this.closeWord(start);
    if (spelled && this.current && code !== undefined) this.current.symbols.push(code);
    if (!coded) this.countRuns(speech);
    if (!coded && this.interim && this.speechStart !== undefined && end - this.lastInterimAt >= this.interimMs()) {
      this.lastInterimAt = end;
      const heard = this.energyWords(false);
      if (heard.length > 0) this.result(heard, false, false, false);
    }
    if (speech) {
      if (!this.inSpeech) {
        this.inSpeech = true;
        if (this.speechStart === undefined) {
          this.speechStart = start;
          this.lastInterimAt = start;
        }
        if (this.vadEvents) this.send({ type: 'SpeechStarted', channel: [0], timestamp: start / 1000 });
      }
      if (coded && !this.current && code !== undefined) this.current = { code, start, symbols: [code] };
      this.lastSpeechEnd = end;
      this.utteranceEndSent = false;
      return;
    }
    if (this.lastSpeechEnd === undefined) return;
    const silence = end - this.lastSpeechEnd;
    if (this.inSpeech && this.endpointingMs !== undefined && silence >= this.endpointingMs) {
      this.inSpeech = false;
      this.endOfSpeech(true, false);
    }
    if (!this.utteranceEndSent && this.utteranceEndMs !== undefined && silence >= this.utteranceEndMs) {
      this.utteranceEndSent = true;
      this.send(
        { type: 'UtteranceEnd', channel: [0, 1], last_word_end: this.lastSpeechEnd / 1000 },
        this.fake.finalDelayMs,
      );
    }
  }

  private interimMs(): number {
    return this.opts.interimMs ?? 500;
  }

  /** Energy mode: a run of voice counts as a word once `interimWordMs` of it is heard; 30 ms of quiet ends it. */
  private countRuns(speech: boolean): void {
    if (!speech) {
      this.gapMs += FRAME_MS;
      if (this.gapMs >= 30) this.runMs = 0;
      return;
    }
    this.gapMs = 0;
    const before = this.runMs;
    this.runMs += FRAME_MS;
    const wordMs = this.opts.interimWordMs ?? 100;
    if (before < wordMs && this.runMs >= wordMs) this.runs++;
  }

  private closeWord(end: number): void {
    if (!this.current) return;
    const vocab = this.opts.vocabulary ?? [];
    const word = this.opts.spelled ? readSpelling(this.current.symbols) : (vocab[this.current.code] ?? '');
    this.words.push({ word, start: this.current.start, end });
    this.current = undefined;
    if (this.interim) this.result(this.words, false, false, false);
  }

  private energyWords(final: boolean): Word[] {
    if (this.speechStart === undefined || this.lastSpeechEnd === undefined) return [];
    const line = this.fake.takeLine().split(/\s+/).filter(Boolean);
    const span = Math.max(FRAME_MS, this.lastSpeechEnd - this.speechStart);
    const per = span / Math.max(1, line.length);
    const shown = final ? line.length : Math.min(line.length, this.runs);
    return line.slice(0, shown).map((word, i) => ({
      word,
      start: this.speechStart! + i * per,
      end: this.speechStart! + (i + 1) * per,
    }));
  }

  /** Emit the final for everything heard since the last final (endpoint, Finalize or CloseStream). */
  private flush(fromFinalize: boolean): void {
    this.closeWord(this.audioMs);
    this.endOfSpeech(false, fromFinalize);
    this.inSpeech = false;
  }

  private endOfSpeech(speechFinal: boolean, fromFinalize: boolean): void {
    const coded = this.opts.vocabulary !== undefined || this.opts.spelled === true;
    this.closeWord(this.lastSpeechEnd ?? this.audioMs);
    const words = coded ? this.words : this.energyWords(true);
    if (words.length === 0 && !fromFinalize) return;
    this.result(words, true, speechFinal, fromFinalize);
    if (!coded && words.length > 0) this.fake.advanceLine();
    this.words = [];
    this.speechStart = undefined;
    this.lastInterimAt = 0;
    this.runs = 0;
    this.runMs = 0;
    this.cursorMs = this.audioMs;
  }

  private result(words: Word[], isFinal: boolean, speechFinal: boolean, fromFinalize: boolean): void {
    const transcript = words.map((w) => w.word).join(' ');
    this.send(
      {
        type: 'Results',
        channel_index: [0, 1],
        start: this.cursorMs / 1000,
        duration: (this.audioMs - this.cursorMs) / 1000,
        is_final: isFinal,
        speech_final: speechFinal,
        from_finalize: fromFinalize,
        channel: {
          alternatives: [
            {
              transcript,
              confidence: words.length > 0 ? 0.97 : 0,
              words: words.map((w) => ({
                word: w.word,
                start: w.start / 1000,
                end: w.end / 1000,
                confidence: 0.97,
                punctuated_word: w.word,
              })),
            },
          ],
        },
        metadata: {
          request_id: 'fake',
          model_info: { name: this.stats.query.model ?? 'fake', version: '0', arch: 'fake' },
        },
      },
      isFinal ? this.fake.finalDelayMs : (this.opts.interimDelayMs ?? 0),
    );
  }
}
