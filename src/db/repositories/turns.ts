import { cleanText, type Queryable } from '../sql.js';

export interface TurnInput {
  callId: string;
  seq: number;
  speaker: 'agent' | 'caller';
  text: string;
  heardText?: string | null;
  interrupted?: boolean;
  startMs?: number | null;
  endMs?: number | null;
  confidence?: number | null;
  latency?: Record<string, number | null> | null;
  detail?: Record<string, unknown> | null;
  endedAt: Date;
}

/** Idempotent on (call, seq): a retry rewrites the same row, never adds one. */
export async function insertTurn(db: Queryable, t: TurnInput): Promise<void> {
  await db.query(
    `INSERT INTO turns (call_id, seq, speaker, text, heard_text, interrupted, start_ms, end_ms, confidence,
                        latency, ended_at, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (call_id, seq) DO UPDATE SET
       speaker = EXCLUDED.speaker, text = EXCLUDED.text, heard_text = EXCLUDED.heard_text,
       interrupted = EXCLUDED.interrupted, start_ms = EXCLUDED.start_ms, end_ms = EXCLUDED.end_ms,
       confidence = EXCLUDED.confidence, latency = EXCLUDED.latency, ended_at = EXCLUDED.ended_at,
       detail = EXCLUDED.detail`,
    [
      t.callId,
      t.seq,
      t.speaker,
      cleanText(t.text),
      t.heardText == null ? null : cleanText(t.heardText),
      t.interrupted ?? false,
      t.startMs == null ? null : Math.round(t.startMs),
      t.endMs == null ? null : Math.round(t.endMs),
      t.confidence ?? null,
      t.latency == null ? null : JSON.stringify(t.latency),
      t.endedAt,
      t.detail == null ? null : JSON.stringify(t.detail),
    ],
  );
}

export interface TurnRow {
  seq: number;
  speaker: 'agent' | 'caller';
  text: string;
  heard_text: string | null;
  interrupted: boolean;
  start_ms: number | null;
  end_ms: number | null;
  confidence: number | null;
  latency: Record<string, number | null> | null;
  detail: Record<string, unknown> | null;
  ended_at: Date;
}

export async function getTurns(db: Queryable, callId: string): Promise<TurnRow[]> {
  const r = await db.query<TurnRow>(
    `SELECT seq, speaker, text, heard_text, interrupted, start_ms, end_ms, confidence, latency, detail, ended_at
       FROM turns WHERE call_id = $1 ORDER BY seq`,
    [callId],
  );
  return r.rows;
}
