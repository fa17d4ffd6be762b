import type { Queryable } from '../db/sql.js';

// call_recordings rows (migration 009): which file holds a call's recording.

export interface RecordingRow {
  readonly callId: string;
  readonly file: string;
  readonly mediaType: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly createdAt: Date;
}

/** Idempotent: a retried write keeps the first row. */
export async function insertRecording(db: Queryable, r: RecordingRow): Promise<void> {
  await db.query(
    `INSERT INTO call_recordings (call_id, file, media_type, bytes, duration_ms, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (call_id) DO NOTHING`,
    [r.callId, r.file, r.mediaType, r.bytes, Math.round(r.durationMs), r.createdAt],
  );
}

export async function getRecording(db: Queryable, callId: string): Promise<RecordingRow | undefined> {
  const { rows } = await db.query<{
    call_id: string;
    file: string;
    media_type: string;
    bytes: string;
    duration_ms: number;
    created_at: Date;
  }>('SELECT call_id, file, media_type, bytes, duration_ms, created_at FROM call_recordings WHERE call_id = $1', [
    callId,
  ]);
  const r = rows[0];
  return r === undefined
    ? undefined
    : {
        callId: r.call_id,
        file: r.file,
        mediaType: r.media_type,
        bytes: Number(r.bytes),
        durationMs: r.duration_ms,
        createdAt: new Date(r.created_at),
      };
}

/**
 * Removes up to `limit` rows older than `before` and returns their files. Rows are claimed with SKIP LOCKED: two
 * replicas sweeping at once each get different rows, and every row goes to exactly one of them.
 */
export async function deleteExpired(db: Queryable, before: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ file: string }>(
    `DELETE FROM call_recordings WHERE call_id IN (
       SELECT call_id FROM call_recordings WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING file`,
    [before, limit],
  );
  return rows.map((r) => r.file);
}
