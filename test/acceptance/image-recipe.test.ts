import t from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/net/free-port.js';
import { waitFor, within } from '../support/wait.js';
import { repoRoot } from '../support/repo.js';

// The container recipe without a Docker engine: a clean copy of the committed tree (git archive HEAD), the
// same scripts/container-build.sh steps the Dockerfile runs, then the assembled runtime tree is started with
// the image's environment and probed like Kubernetes would. Slow (two npm installs and a native build), so it
// is one test file with a long timeout; it fails, honestly, while src/main.ts does not exist.

t.setTimeout(9 * 60_000);

const repo = repoRoot;
const work = mkdtempSync(join(tmpdir(), 'image-recipe-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const src = join(work, 'src');
const app = join(work, 'app');

function sh(cmd: string, args: string[], cwd: string): void {
  // prefer-offline only skips re-checking cached package metadata; the recipe itself is unchanged.
  const env = { ...process.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
  execFileSync(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Polls `url` until it answers `status`; the error says what it answered last. */
async function answered(url: string, status: number, ms: number): Promise<Response> {
  let last = 'no answer';
  let ok: Response | undefined;
  const poll = async () => {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status === status) ok = r;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = String((e as Error).cause ?? e);
    }
    return ok !== undefined;
  };
  await waitFor(poll, { timeoutMs: ms, intervalMs: 250, what: `${url} to answer ${status}` }).catch((e: unknown) => {
    throw new Error(`${(e as Error).message} (last: ${last})`);
  });
  return ok as Response;
}

t.test('recipe: clean copy → deps + addon → compile → production tree', async (t) => {
  mkdirSync(src);
  execFileSync('bash', ['-c', `git -C "${repo}" archive HEAD | tar -x -C "${src}"`]);
  t.ok(existsSync(join(src, 'Dockerfile')), 'clean copy has the Dockerfile');
  sh('bash', ['scripts/container-build.sh', 'deps'], src);
  t.ok(existsSync(join(src, 'build/Release/gym_dsp.node')), 'addon built');
  sh('bash', ['scripts/container-build.sh', 'compile'], src);
  t.ok(existsSync(join(src, 'dist/src/main.js')), 'dist/src/main.js built');
  sh('bash', ['scripts/container-build.sh', 'assemble', app], src);
  t.ok(existsSync(join(app, 'build/Release/gym_dsp.node')), 'addon in the runtime tree');
  t.notOk(existsSync(join(app, 'node_modules/typescript')), 'no dev dependencies');
  t.notOk(existsSync(join(app, 'node_modules/tap')), 'no test runner');
  const uws = readdirSync(join(app, 'node_modules/uWebSockets.js/binaries'));
  t.same(uws, [`uws_linux_${process.arch}_${process.versions.modules}.node`], 'one uWS binary for this platform');
});

t.test('runtime tree: doctor passes offline, server answers probes and drains on SIGTERM', async (t) => {
  if (!existsSync(join(app, 'dist/src/main.js'))) return t.fail('no runtime tree (previous test failed)');
  const data = join(work, 'data');
  const port = await freePort();
  // The image's environment (Dockerfile ENV), except HOST: tests only listen on loopback.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: data,
    NODE_OPTIONS: '--enable-source-maps',
    LOG_LEVEL: 'info',
  };
  // Through the same wrapper the image puts on the PATH (a symlink to it, as in the Dockerfile).
  const link = join(work, 'gym-agent');
  symlinkSync(join(app, 'bin/gym-agent'), link);
  const doctor = spawn(link, ['doctor', '--offline'], { cwd: work, env });
  let report = '';
  doctor.stdout.on('data', (d: Buffer) => (report += d.toString()));
  doctor.stderr.on('data', (d: Buffer) => (report += d.toString()));
  const doctorCode = await new Promise<number | null>((r) => doctor.on('close', r));
  t.equal(doctorCode, 0, `doctor --offline in the runtime tree exits 0:\n${report}`);

  const server = spawn('node', ['dist/src/main.js'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  server.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  server.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
  t.teardown(() => void (server.exitCode === null && server.kill('SIGKILL')));
  try {
    const health = await answered(`http://127.0.0.1:${port}/healthz`, 200, 60_000);
    t.equal(health.status, 200, '/healthz 200');
    const ready = await answered(`http://127.0.0.1:${port}/readyz`, 200, 60_000);
    t.equal(ready.status, 200, '/readyz 200 (database, migrations, addon)');
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    t.match(await metrics.text(), /gym_agent_active_calls/, '/metrics serves the app metrics');
  } catch (e) {
    t.fail(`${(e as Error).message}\nserver output:\n${logs.slice(-4000)}`);
  }
  server.kill('SIGTERM');
  const code = await within(exited, 30_000, 'timeout');
  t.equal(code, 0, `exit 0 after SIGTERM with no live calls\n${logs.slice(-2000)}`);
});
