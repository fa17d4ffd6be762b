import { access, constants, readFile, stat, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../../config/index.js';
import type { Dsp } from '../../dsp/types.js';
import { finding, type Finding } from './types.js';

// Local checks: the DSP addon and its kernels, whether every TTS provider in the chain produces PCM at a rate the
// pipeline resamples to 8 kHz (proved by running the real resampler on a test tone), and the database.
// The DSP and db modules belong to other parts of the app and are imported dynamically and defensively: a missing
// or changed module is reported as a problem with its reason, never a crash of the doctor.

/** The part of the DSP the checks use. */
type DoctorDsp = Pick<Dsp, 'kernels' | 'createResampler'>;

async function importOptional(rel: string): Promise<Record<string, unknown>> {
  return (await import(new URL(rel, import.meta.url).href)) as Record<string, unknown>;
}

export async function loadDspForDoctor(): Promise<{ dsp?: DoctorDsp; error?: string }> {
  try {
    const mod = await importOptional('../../dsp/index.js');
    if (typeof mod.loadDsp !== 'function') return { error: 'src/dsp/index.ts exports no loadDsp()' };
    return { dsp: (mod.loadDsp as () => DoctorDsp)() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export function checkDsp(r: { dsp?: DoctorDsp; error?: string }, forceScalar: boolean): Finding[] {
  if (!r.dsp) return [finding('dsp', 'addon', 'problem', `not loaded: ${r.error ?? 'unknown reason'}`)];
  const kernels = r.dsp.kernels();
  const out = [finding('dsp', 'addon', 'ok', `loaded; kernels: ${kernels}`)];
  if (forceScalar) out.push(finding('dsp', 'DSP_FORCE_SCALAR', 'warn', 'scalar kernels forced: slower, same output'));
  return out;
}

/** The TTS chain as the provider selection builds it: 'auto' = every cloud provider with a key, then flite, espeak. */
export function ttsChain(c: Config): { name: string; rate: number; missing?: string }[] {
  const elevenRate = Number(c.ELEVENLABS_OUTPUT_FORMAT.split('_')[1]);
  const known: Record<string, { rate: number; key: string | undefined; keyVar?: string }> = {
    elevenlabs: { rate: elevenRate, key: c.ELEVENLABS_API_KEY, keyVar: 'ELEVENLABS_API_KEY' },
    openai: { rate: 24000, key: c.OPENAI_API_KEY, keyVar: 'OPENAI_API_KEY' }, // response_format pcm = 24 kHz
    flite: { rate: 16000, key: 'local' },
    espeak: { rate: 22050, key: 'local' },
  };
  const names =
    c.TTS_PROVIDERS.trim() === 'auto'
      ? [...(c.ELEVENLABS_API_KEY ? ['elevenlabs'] : []), ...(c.OPENAI_API_KEY ? ['openai'] : []), 'flite', 'espeak']
      : c.TTS_PROVIDERS.split(',')
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s !== '')
          .map((s) => (s === 'openai-tts' ? 'openai' : s === 'offline' ? 'flite' : s));
  return names.map((name) => {
    const k = known[name];
    if (!k) return { name, rate: 0, missing: `unknown TTS provider (known: ${Object.keys(known).join(', ')})` };
    if (!k.key)
      return { name, rate: k.rate, missing: `listed in TTS_PROVIDERS but ${k.keyVar ?? 'its key'} is not set` };
    return { name, rate: k.rate };
  });
}

/** 100 ms of a 1 kHz tone through the real resampler: the output must be 8 kHz-long and keep the tone. */
function probeResampler(dsp: DoctorDsp, rate: number): string | undefined {
  const n = Math.round(rate / 10);
  const tone = new Int16Array(n);
  for (let i = 0; i < n; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / rate));
  const r = dsp.createResampler(rate, 8000);
  const a = r.push(tone);
  const b = r.flush();
  const got = a.length + b.length;
  if (Math.abs(got - 800) > 40) return `expected about 800 samples at 8 kHz, got ${got}`;
  let peak = 0;
  for (const v of a) peak = Math.max(peak, Math.abs(v));
  if (peak < 4000) return `the tone came out at peak ${peak} (expected about 8000)`;
  return undefined;
}

export function checkAudio(c: Config, dsp: DoctorDsp | undefined): Finding[] {
  const out: Finding[] = [];
  for (const p of ttsChain(c)) {
    if (p.missing) {
      out.push(finding('audio', `tts ${p.name}`, 'problem', p.missing));
      continue;
    }
    const what = `s16le PCM ${p.rate} Hz → resampled to 8 kHz μ-law`;
    if (!dsp) {
      out.push(finding('audio', `tts ${p.name}`, 'skipped', `${what}; not verified: DSP addon not loaded`));
      continue;
    }
    try {
      const why = probeResampler(dsp, p.rate);
      out.push(
        finding('audio', `tts ${p.name}`, why ? 'problem' : 'ok', why ? `${what}: ${why}` : `${what}: verified`),
      );
    } catch (e) {
      out.push(
        finding('audio', `tts ${p.name}`, 'problem', `${p.rate} Hz not supported by the resampler: ${String(e)}`),
      );
    }
  }
  return out;
}

// ---- disk: "no space left on device" was the original system's most common outage ----

type StatFs = (path: string) => Promise<{ bavail: number; blocks: number; bsize: number }>;

/** Free space where DATA_DIR lives (its nearest existing ancestor): problem below 256 MiB, warning below 1 GiB or 10 %. */
export async function checkDisk(dataDir: string, fsStat: StatFs = statfs): Promise<Finding> {
  let dir = resolve(dataDir);
  while (
    !(await stat(dir).then(
      () => true,
      () => false,
    ))
  ) {
    const up = resolve(dir, '..');
    if (up === dir) break;
    dir = up;
  }
  try {
    const s = await fsStat(dir);
    const free = s.bavail * s.bsize;
    const share = s.blocks > 0 ? s.bavail / s.blocks : 1;
    const mib = Math.round(free / 2 ** 20);
    const detail = `${mib} MiB free (${Math.round(share * 100)} %) at ${dir}`;
    if (free < 256 * 2 ** 20)
      return finding(
        'database',
        'disk space',
        'problem',
        `${detail}: writes will fail soon; see docs/operations.md "Disk full"`,
      );
    if (free < 2 ** 30 || share < 0.1) return finding('database', 'disk space', 'warn', detail);
    return finding('database', 'disk space', 'ok', detail);
  } catch (e) {
    return finding('database', 'disk space', 'warn', `could not read free space at ${dir}: ${String(e)}`);
  }
}

// ---- database ----

interface PoolLike {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
type MigrationStatusRow = { version: number; name: string; appliedAt: Date | null };

async function migrationFindings(pool: PoolLike, where: string): Promise<Finding[]> {
  const out: Finding[] = [];
  await pool.query('SELECT 1');
  out.push(finding('database', 'connectivity', 'ok', `connected to ${where}`));
  const migrate = await importOptional('../../db/migrate.js');
  if (typeof migrate.migrationStatus !== 'function') {
    out.push(finding('database', 'migrations', 'problem', 'src/db/migrate.ts exports no migrationStatus()'));
    return out;
  }
  const rows = (await (migrate.migrationStatus as (p: PoolLike) => Promise<MigrationStatusRow[]>)(pool)) ?? [];
  const pending = rows.filter((r) => r.appliedAt === null).map((r) => `${r.version}_${r.name}`);
  out.push(
    pending.length === 0
      ? finding('database', 'migrations', 'ok', `${rows.length} applied, none pending`)
      : finding(
          'database',
          'migrations',
          'problem',
          `${pending.length} pending (${pending.join(', ')}): run gym-agent migrate`,
        ),
  );
  return out;
}

function describeDbUrl(url: string): string {
  const u = new URL(url);
  return `postgres://${u.hostname}:${u.port || '5432'}${u.pathname}`; // never the password
}

/** The embedded database is locked by a running server; the doctor then asks that server's /readyz instead. */
async function embeddedOwner(dataDir: string): Promise<number | undefined> {
  // The pid is the lock file's first line (src/db/embedded-lock.ts).
  const pid = Number((await readFile(`${dataDir}.lock`, 'utf8').catch(() => '')).split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export async function checkDatabase(c: Config, opts: { fetch: typeof fetch; timeoutMs: number }): Promise<Finding[]> {
  try {
    if (c.DATABASE_URL) {
      const poolMod = await importOptional('../../db/pool.js');
      if (typeof poolMod.createPool !== 'function')
        return [finding('database', 'connectivity', 'problem', 'src/db/pool.ts exports no createPool()')];
      const pool = (poolMod.createPool as (u: string, o: object) => PoolLike)(c.DATABASE_URL, {
        max: 1,
        connectionTimeoutMs: opts.timeoutMs,
      });
      try {
        return await migrationFindings(pool, describeDbUrl(c.DATABASE_URL));
      } finally {
        await pool.end();
      }
    }
    const dataRoot = resolve(c.DATA_DIR);
    const dataDir = join(dataRoot, 'pglite');
    const exists = await stat(dataDir).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const parent = await stat(dataRoot).then(
        () => dataRoot,
        () => resolve(dataRoot, '..'),
      );
      await access(parent, constants.W_OK);
      return [
        finding(
          'database',
          'connectivity',
          'ok',
          `embedded database not created yet; ${dataDir} will be created at start`,
        ),
      ];
    }
    const owner = await embeddedOwner(dataDir);
    if (owner !== undefined) return [await viaServer(c, owner, opts)];
    const poolMod = await importOptional('../../db/pool.js');
    if (typeof poolMod.openDatabase !== 'function')
      return [finding('database', 'connectivity', 'problem', 'src/db/pool.ts exports no openDatabase()')];
    const db = (await (
      poolMod.openDatabase as (cfg: Config, o: object) => Promise<{ pool: PoolLike; close(): Promise<void> }>
    )(c, { migrate: false, max: 1 })) as { pool: PoolLike; close(): Promise<void> };
    try {
      return await migrationFindings(db.pool, `embedded database ${dataDir}`);
    } finally {
      await db.close();
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return [finding('database', 'connectivity', 'problem', msg)];
  }
}

async function viaServer(c: Config, pid: number, o: { fetch: typeof fetch; timeoutMs: number }): Promise<Finding> {
  const url = `http://127.0.0.1:${c.PORT}/readyz`;
  try {
    const res = await o.fetch(url, { signal: AbortSignal.timeout(o.timeoutMs) });
    const body = (await res.json()) as { checks?: { name: string; ok: boolean; detail?: string }[] };
    const db = (body.checks ?? []).filter((x) => x.name === 'database' || x.name === 'migrations');
    const bad = db.filter((x) => !x.ok);
    if (db.length === 0)
      return finding(
        'database',
        'connectivity',
        'warn',
        `in use by server pid ${pid}; its /readyz reports no database check`,
      );
    return bad.length === 0
      ? finding(
          'database',
          'connectivity',
          'ok',
          `embedded database in use by the server (pid ${pid}); its /readyz reports it reachable and migrated`,
        )
      : finding(
          'database',
          'connectivity',
          'problem',
          `server pid ${pid} reports: ${bad.map((x) => `${x.name}: ${x.detail ?? 'failed'}`).join('; ')}`,
        );
  } catch (e) {
    return finding(
      'database',
      'connectivity',
      'warn',
      `embedded database locked by pid ${pid}, and ${url} did not answer (${String(e)})`,
    );
  }
}
