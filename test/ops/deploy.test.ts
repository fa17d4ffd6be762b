import t, { type Test } from 'tap';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/repo.js';

// scripts/deploy.sh against stub docker / k3s / kubectl (test/ops/fixtures/deploy-stubs) that record every call
// and keep containerd's image list in a file: the real script runs end to end, including the prune decision.

const repo = repoRoot;
const stubs = join(repo, 'test/ops/fixtures/deploy-stubs');
const script = join(repo, 'scripts/deploy.sh');
const ours = (ts: string, sha = 'abc1234') => `localhost/gym-agent:0.1.0-${ts}-${sha}`;

function setup(t: Test, opts: { images: string[]; pods: string[]; rs: string[] }) {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = (name: string, lines: string[]) => {
    writeFileSync(join(dir, name), lines.map((l) => `${l}\n`).join(''));
    return join(dir, name);
  };
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    DOCKER: join(stubs, 'docker'),
    K3S: join(stubs, 'k3s'),
    KUBECTL: join(stubs, 'kubectl'),
    SUDO: '',
    K3S_DATA_DIR: dir,
    STUB_LOG: f('log', []),
    STUB_IMAGES: f('images', opts.images),
    STUB_PODS: f('pods', opts.pods),
    STUB_RS: f('rs', opts.rs),
  };
  const run = (args: string[], extra: Record<string, string> = {}) => {
    const r = spawnSync('bash', [script, ...args], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout + r.stderr, log: readFileSync(env.STUB_LOG, 'utf8') };
  };
  return { run, images: () => readFileSync(env.STUB_IMAGES, 'utf8').trim().split('\n') };
}

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const skipShellcheck = !hasShellcheck && process.env.CI_STRICT !== '1' ? 'shellcheck not installed' : false;
t.test('scripts are clean under shellcheck', { skip: skipShellcheck }, async (t) => {
  if (!hasShellcheck) return t.fail('shellcheck missing (Debian package shellcheck)');
  execFileSync('shellcheck', [
    script,
    join(repo, 'scripts/container-build.sh'),
    ...['docker', 'k3s', 'kubectl'].map((s) => join(stubs, s)),
  ]);
  t.pass('shellcheck clean');
});

t.test('--dry-run prints every step in order and runs nothing', async (t) => {
  const { run } = setup(t, { images: [], pods: [], rs: [] });
  const r = run(['--dry-run']);
  t.equal(r.code, 0, r.out);
  t.equal(r.log, '', 'no stub was called');
  const steps = [
    /\+ \S*kubectl version/,
    /\+ \S*k3s ctr version/,
    /\+ \S*kubectl -n gym-agent get secret gym-agent-secrets/,
    /\+ \S*docker buildx build --platform linux\/arm64 --tag localhost\/gym-agent:0\.1\.0-\d{14}-\w+/,
    /\+ check: free space/,
    /\+ \S*k3s ctr -n k8s\.io images import /,
    /newTag: "0\.1\.0-\d{14}-\w+/,
    /\+ \S*kubectl apply -k k8s\/overlays\/\.deploy-/,
    /\+ \S*kubectl -n gym-agent rollout status deployment\/gym-agent --timeout=900s/,
    /\+ \S*k3s ctr -n k8s\.io images rm <images of localhost\/gym-agent older than the last 3/,
    /dry run complete/,
  ];
  let at = 0;
  for (const re of steps) {
    const m = re.exec(r.out.slice(at));
    t.ok(m, `step ${re} (in order)`);
    if (m) at += m.index + m[0].length;
  }
});

t.test('deploy: imports, applies the versioned tag, waits, prunes only our old unused images', async (t) => {
  const old = ['20260101000000', '20260201000000', '20260301000000', '20260401000000', '20260501000000'].map((x) =>
    ours(x),
  );
  const { run, images } = setup(t, {
    images: ['docker.io/library/traefik:v3', 'localhost/gym-agent:0.0.9', ...old],
    pods: ['docker.io/library/traefik:v3', old[4] ?? ''],
    rs: [old[1] ?? '', old[4] ?? ''], // old[1] is a rollback target
  });
  const tag = '0.1.0-20260601000000-def5678';
  const r = run(['--tag', tag, '--keep', '3']);
  t.equal(r.code, 0, r.out);
  t.match(
    r.log,
    /docker buildx build --platform linux\/arm64 --tag localhost\/gym-agent:0\.1\.0-20260601000000-def5678/,
  );
  t.match(r.log, /k3s ctr -n k8s\.io images import \S+gym-agent-0\.1\.0-20260601000000-def5678\.tar/);
  t.match(r.log, /newTag: "0\.1\.0-20260601000000-def5678"/);
  t.match(r.log, /resources:\n {2}- \.\.\/pi/);
  t.match(r.log, /rollout status deployment\/gym-agent/);
  const rm = r.log.split('\n').filter((l) => l.includes('images rm'));
  t.same(rm, [`k3s ctr -n k8s.io images rm ${old[0]} ${old[2]}`], 'oldest two removed; rollback target kept');
  t.same(
    images().sort(),
    [
      'docker.io/library/traefik:v3',
      'localhost/gym-agent:0.0.9',
      old[1],
      old[3],
      old[4],
      ours('20260601000000', 'def5678'),
    ].sort(),
    'other apps and hand-made tags untouched; last 3 + in-use kept',
  );
  t.match(r.out, /is live/);
});

t.test('rollout failure: non-zero, runbook pointer, nothing pruned', async (t) => {
  const old = ['20260101000000', '20260201000000', '20260301000000', '20260401000000'].map((x) => ours(x));
  const { run, images } = setup(t, { images: old, pods: [], rs: [] });
  const r = run(['--tag', '0.1.0-20260601000000-def5678', '--keep', '1'], { STUB_ROLLOUT_FAIL: '1' });
  t.equal(r.code, 1);
  t.match(r.out, /rollout did not complete; old images were kept/);
  t.match(r.out, /runbook: docs\/operations\.md/);
  t.notMatch(r.log, /images rm/);
  t.equal(images().length, 5);
});

t.test('containerd down: stops before building, points to the runbook', async (t) => {
  const { run } = setup(t, { images: [], pods: [], rs: [] });
  const r = run(['--tag', '0.1.0-20260601000000-def5678'], { STUB_CTR_DOWN: '1' });
  t.equal(r.code, 1);
  t.match(r.out, /k3s containerd is not answering/);
  t.match(r.out, /"containerd unavailable"/);
  t.notMatch(r.log, /docker/);
});

t.test('refuses example.com manifests, :latest and bad arguments', async (t) => {
  const { run } = setup(t, { images: [], pods: [], rs: [] });
  const ex = run(['--tag', '0.1.0-20260601000000-def5678'], { STUB_EXAMPLE: '1' });
  t.equal(ex.code, 1);
  t.match(ex.out, /still say example\.com/);
  t.notMatch(ex.log, /apply -k/);
  t.match(run(['--tag', 'latest']).out, /refusing the tag 'latest'/);
  t.equal(run(['--keep', '0']).code, 1);
  t.equal(run(['--overlay', 'nope']).code, 1);
  t.equal(run(['--bogus']).code, 1);
});
