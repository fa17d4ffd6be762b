import { randomUUID } from 'node:crypto';
import { mkdir, readdir, stat, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { CallLedger } from '../db/recorder.js';
import type { Logger } from '../log.js';
import { RecordingEncoder } from './encoder.js';
import { deleteExpired, getRecording, insertRecording, type RecordingRow } from './repository.js';
import type { RecordedAudio } from './tracks.js';

// Where recordings live: DATA_DIR/recordings/<random>.flac, one row per call in call_recordings. The disk guard
// (statfs) decides at the start of a call whether it is recorded at all and again before its file is written; low
// disk stops recordings, never calls. The sweep deletes what is older than RECORDING_RETENTION_DAYS: rows (each by
// exactly one replica, repository.ts) and then files, including files of this disk whose row another replica
// removed or that lost their row, by age.

export type StatFs = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

export interface RecordingStoreOptions {
  readonly dir: string;
  readonly pool: pg.Pool;
  readonly retentionDays: number;
  readonly minFreeMb: number;
  readonly log: Logger;
  /** Injected in tests; default node:fs statfs. */
  readonly statfs?: StatFs | undefined;
  readonly now?: (() => number) | undefined;
  /** How long a disk-space answer is reused (calls start often; statfs is a syscall). Default 10 s. */
  readonly guardCacheMs?: number | undefined;
}

export interface SweepResult {
  readonly rows: number;
  readonly files: number;
}

const FILE_RE = /^[A-Za-z0-9_-]{1,120}\.flac(\.part)?$/;
const SWEEP_BATCH = 500;
const DAY_MS = 86_400_000;

export class RecordingStore {
  readonly #o: RecordingStoreOptions;
  readonly #encoder = new RecordingEncoder();
  readonly #statfs: StatFs;
  readonly #now: () => number;
  #guard: { at: number; ok: boolean } | undefined;
  #made: Promise<unknown> | undefined;
  readonly #inflight = new Set<Promise<unknown>>();
  /** Recordings skipped because the disk was low (for metrics). */
  skippedLowDisk = 0;
  saved = 0;
  failed = 0;

  constructor(o: RecordingStoreOptions) {
    this.#o = o;
    this.#statfs = o.statfs ?? ((p) => statfs(p));
    this.#now = o.now ?? Date.now;
  }

  get dir(): string {
    return this.#o.dir;
  }

  /** Free space in MB of the recordings' disk. */
  async freeMb(): Promise<number> {
    await this.#mkdir();
    const s = await this.#statfs(this.#o.dir);
    return (Number(s.bavail) * Number(s.bsize)) / (1024 * 1024);
  }

  /** Whether a new recording may be written: at least RECORDING_MIN_FREE_MB free (cached briefly). */
  async hasRoom(): Promise<boolean> {
    const now = this.#now();
    if (this.#guard !== undefined && now - this.#guard.at < (this.#o.guardCacheMs ?? 10_000)) return this.#guard.ok;
    let ok: boolean;
    try {
      ok = (await this.freeMb()) >= this.#o.minFreeMb;
    } catch (e) {
      // A disk that cannot even be asked is no place to write.
      this.#o.log.warn({ err: (e as Error).message }, 'recordings: free disk space unknown; not recording');
      ok = false;
    }
    if (!ok && this.#guard?.ok !== false)
      this.#o.log.warn({ minFreeMb: this.#o.minFreeMb }, 'recordings: disk space low; new calls are not recorded');
    this.#guard = { at: now, ok };
    return ok;
  }

  /**
   * The disk guard for a call starting now, without waiting: the last answer (refreshed in the background when
   * stale); false before the first answer. startServer asks hasRoom() once before the first call.
   */
  roomNow(): boolean {
    if (this.#guard === undefined || this.#now() - this.#guard.at >= (this.#o.guardCacheMs ?? 10_000))
      void this.hasRoom();
    return this.#guard?.ok ?? false;
  }

  /**
   * Encodes the call off the event loop, writes its file and then its row (through the call's ledger, after the
   * call's own writes). Never rejects: a recording lost is logged and counted, the call is unaffected.
   */
  save(ledger: CallLedger, audio: RecordedAudio, startedAt: Date): Promise<RecordingRow | undefined> {
    const p = this.#save(ledger, audio, startedAt);
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
    return p;
  }

  async #save(ledger: CallLedger, audio: RecordedAudio, startedAt: Date): Promise<RecordingRow | undefined> {
    if (audio.samples === 0) return undefined;
    try {
      if (!(await this.hasRoom())) {
        this.skippedLowDisk++;
        return undefined;
      }
      const file = `${randomUUID()}.flac`;
      const enc = await this.#encoder.encode(audio, join(this.#o.dir, file));
      const row: RecordingRow = {
        callId: ledger.callId,
        file,
        mediaType: 'audio/flac',
        bytes: enc.bytes,
        durationMs: (audio.samples * 1000) / 8000,
        createdAt: startedAt,
      };
      const outcome = await ledger.write('recording', startedAt, () => (pool) => insertRecording(pool, row));
      if (outcome !== 'committed') {
        await unlink(join(this.#o.dir, file)).catch(() => undefined);
        throw new Error(`its row was not stored (${outcome})`);
      }
      this.saved++;
      return row;
    } catch (e) {
      this.failed++;
      this.#o.log.error({ callId: ledger.callId, err: (e as Error).message }, 'recording lost');
      return undefined;
    }
  }

  /** The recording of a call and its file's path, if there is one. */
  async find(callId: string): Promise<{ row: RecordingRow; path: string } | undefined> {
    const row = await getRecording(this.#o.pool, callId);
    // The name was checked when stored (migration 009's CHECK); checked again before it becomes a path.
    if (row === undefined || !FILE_RE.test(row.file)) return undefined;
    return { row, path: join(this.#o.dir, row.file) };
  }

  /** Deletes recordings older than the retention: rows first (each by one replica), then the files. */
  async sweep(): Promise<SweepResult> {
    const cutoff = this.#now() - this.#o.retentionDays * DAY_MS;
    let rows = 0;
    let files = 0;
    for (;;) {
      const expired = await deleteExpired(this.#o.pool, new Date(cutoff), SWEEP_BATCH);
      rows += expired.length;
      for (const f of expired) if (FILE_RE.test(f) && (await this.#remove(f))) files++;
      if (expired.length < SWEEP_BATCH) break;
    }
    // Files whose row is gone (removed by another replica sharing the database, or never written) go by age.
    let names: string[] = [];
    try {
      names = await readdir(this.#o.dir);
    } catch {
      // No directory: nothing was ever recorded here.
    }
    for (const f of names) {
      if (!FILE_RE.test(f)) continue;
      const s = await stat(join(this.#o.dir, f)).catch(() => undefined);
      if (s !== undefined && s.mtimeMs < cutoff && (await this.#remove(f))) files++;
    }
    if (rows > 0 || files > 0) this.#o.log.info({ rows, files }, 'recordings past retention deleted');
    return { rows, files };
  }

  /** Sweeps now and then every `everyMs` (default hourly) until the returned stop is called. */
  startSweeping(everyMs = 3_600_000): () => void {
    const run = (): void => {
      this.sweep().catch((e: unknown) =>
        this.#o.log.warn({ err: (e as Error).message }, 'recordings sweep failed; next one retries'),
      );
    };
    run();
    const timer = setInterval(run, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Waits (at most `waitMs`) for recordings being encoded, then stops the encoder. */
  async close(waitMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => (timer = setTimeout(r, waitMs)));
    await Promise.race([Promise.allSettled([...this.#inflight]), bound]);
    clearTimeout(timer);
    await this.#encoder.close();
  }

  async #remove(file: string): Promise<boolean> {
    try {
      await unlink(join(this.#o.dir, file));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#o.log.warn({ err: (e as Error).message }, 'recording file not deleted');
      return false;
    }
  }

  #mkdir(): Promise<unknown> {
    this.#made ??= mkdir(this.#o.dir, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
      this.#made = undefined;
      throw e;
    });
    return this.#made;
  }
}
