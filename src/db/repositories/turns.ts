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

/**
 * Idempotent on (call, seq): a retry rewrites the same row, never adds one. A call whose end is recorded (its
 * session wrote every turn before that, in the same write lane) is never written again: no late or foreign write
 * can add to or overwrite a finished transcript.
 */
export async function insertTurn(db: Queryable, t: TurnInput): Promise<void> {
  await db.query(
    `INSERT INTO turns (call_id, seq, speaker, text, heard_text, interrupted, start_ms, end_ms, confidence,
                        latency, ended_at, detail)
     SELECT $1::text, $2::int, $3::text, $4::text, $5::text, $6::boolean, $7::int, $8::int, $9::real, $10::jsonb,
            $11::timestamptz, $12::jsonb
      WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = $1::text AND c.end_reason IS NOT NULL)
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
