import type { LlmChunk } from './llm/types.js';

// Cuts a stream of LLM text deltas into speakable pieces so TTS can start on the first sentence while the
// model is still writing the rest. A piece is emitted as soon as it is known to be complete: a sentence end
// followed by whitespace (the whitespace proves "3." is not "3.5"), or, for the first piece of a reply only,
// a clause break once enough words have accumulated (the first audio matters most for latency).

export interface SplitterOptions {
  /** Clause breaks (, ; : —) may end the FIRST piece once it has at least this many characters. */
  firstClauseMinChars?: number;
  /** Later pieces split at clause breaks only when this long (long sentences would delay audio). */
  clauseMinChars?: number;
  /** Hard cut at the last space beyond this length, so one run-on sentence cannot stall TTS. */
  maxChars?: number;
}

const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'a.m', 'p.m', 'approx', 'no']);
const SENTENCE_END = /[.!?…]/;
const CLAUSE_END = /[,;:—]/;
const CLOSERS = /["')\]”’]/;

export class SentenceSplitter {
  private buf = '';
  private emitted = 0;
  private readonly firstClauseMin: number;
  private readonly clauseMin: number;
  private readonly maxChars: number;

  constructor(opts: SplitterOptions = {}) {
    this.firstClauseMin = opts.firstClauseMinChars ?? 24;
    this.clauseMin = opts.clauseMinChars ?? 80;
    this.maxChars = opts.maxChars ?? 220;
  }

  /** Add a delta; returns the pieces it completed (possibly none). */
  push(delta: string): string[] {
    this.buf += delta;
    const out: string[] = [];
    for (;;) {
      const cut = this.findCut();
      if (cut < 0) break;
      const piece = this.buf.slice(0, cut).trim();
      this.buf = this.buf.slice(cut);
      if (piece.length > 0) {
        out.push(piece);
        this.emitted++;
      }
    }
    return out;
  }

  /** End of the reply: whatever remains is the last piece. */
  flush(): string | undefined {
    const piece = this.buf.trim();
    this.buf = '';
    if (piece.length === 0) return undefined;
    this.emitted++;
    return piece;
  }

  /** Index just after the piece to cut (including the trailing whitespace), or -1. */
  private findCut(): number {
    const b = this.buf;
    const clauseMin = this.emitted === 0 ? this.firstClauseMin : this.clauseMin;
    for (let i = 0; i < b.length - 1; i++) {
      const ch = b[i] as string;
      const next = b[i + 1] as string;
      if (!/\s/.test(next)) continue;
      if (SENTENCE_END.test(ch) && !this.isAbbreviation(i)) return i + 1;
      // A closing quote or bracket right after the sentence end belongs to the sentence.
      if (CLOSERS.test(ch) && i > 0 && SENTENCE_END.test(b[i - 1] as string)) return i + 1;
      if (CLAUSE_END.test(ch) && i + 1 >= clauseMin) return i + 1;
    }
    if (b.length > this.maxChars) {
      const sp = b.lastIndexOf(' ', this.maxChars);
      if (sp > 0) return sp;
    }
    return -1;
  }

  private isAbbreviation(dotIndex: number): boolean {
    if (this.buf[dotIndex] !== '.') return false;
    const before = this.buf.slice(0, dotIndex);
    const word = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase();
    if (word === undefined) return false;
    // Single letters ("a.m" is covered by the set) and known abbreviations do not end a sentence.
    return ABBREVIATIONS.has(word) || /^[a-z]$/.test(word);
  }
}

/**
 * One piece of an LLM reply as it streams; the `reply` actor turns each into one of the call machine's `REPLY.*`
 * events (`ReplyEvent` in machines/events.ts).
 */
export type ReplyPiece =
  | { type: 'sentence'; text: string }
  | Exclude<LlmChunk, { type: 'text' } | { type: 'done' }>
  | { type: 'done'; finishReason: string };

/**
 * Turn LLM chunks into reply events: text is split into sentences as it streams; facts, topics and
 * end-call pass through at once (they are not audio, so they need not wait for the sentence in progress).
 */
export async function* replyEvents(
  chunks: AsyncIterable<LlmChunk>,
  opts: SplitterOptions = {},
): AsyncGenerator<ReplyPiece> {
  const splitter = new SentenceSplitter(opts);
  for await (const c of chunks) {
    if (c.type === 'text') {
      for (const text of splitter.push(c.delta)) yield { type: 'sentence', text };
      continue;
    }
    if (c.type === 'done') {
      const rest = splitter.flush();
      if (rest !== undefined) yield { type: 'sentence', text: rest };
      yield { type: 'done', finishReason: c.finishReason };
      continue;
    }
    yield c;
  }
  const rest = splitter.flush();
  if (rest !== undefined) yield { type: 'sentence', text: rest };
}
