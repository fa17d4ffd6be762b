import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { applyPatch, readYamlDocs, render, type Resource } from './kustomize-lite.js';
import { strictTypeCheck } from './k8s-typecheck.js';
import { envSchema } from '../../src/config/env.js';
import { loadConfig } from '../../src/config/index.js';
import { checkConfig } from '../../src/ops/doctor/config-checks.js';
import { repoRoot } from '../support/repo.js';

// The manifests in k8s/ rendered as kustomize would, then validated offline against the Kubernetes JSON schemas
// (kubernetes-models, generated from the Kubernetes OpenAPI spec; cert-manager's CRD schemas for ClusterIssuer),
// type-checked strictly so a misspelt field fails (the schemas allow unknown fields; the API server drops them
// silently), and checked against the operational rules of issue 8.

const repo = repoRoot;
const k8s = join(repo, 'k8s');
const KUSTOMIZATIONS = ['overlays/pi', 'overlays/scale-out', 'cert-manager'];

type Model = { validate(): void };
async function schemaValidate(r: Resource): Promise<void> {
  const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') : ['', r.apiVersion];
  const mod = group?.endsWith('cert-manager.io')
    ? `@kubernetes-models/cert-manager/${group}/${version}/${r.kind}`
    : `kubernetes-models/${group ? `${group}/` : ''}${version}/${r.kind}`;
  const Cls = ((await import(mod)) as Record<string, new (d: unknown) => Model>)[r.kind];
  if (!Cls) throw new Error(`no model for ${r.apiVersion} ${r.kind}`);
  new Cls(r).validate();
}

const rendered = Object.fromEntries(KUSTOMIZATIONS.map((k) => [k, render(join(k8s, k))])) as Record<string, Resource[]>;
const secretTemplate = readYamlDocs(join(k8s, 'secret.template.yaml'));
/** What an operator puts in the Secret's API_TOKEN: the pod listens on 0.0.0.0, which needs a token. */
const FILLED_API_TOKEN = 'f'.repeat(64);
const find = (rs: Resource[], kind: string, name?: string): Resource => {
  const r = rs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!r) throw new Error(`no ${kind} ${name ?? ''}`);
  return r;
};

t.test('kustomize-lite: JSON patches and loud errors', async (t) => {
  const doc = { a: { b: [1, 2] }, c: 1 };
  t.same(applyPatch(doc, [{ op: 'add', path: '/a/b/-', value: 3 }]), { a: { b: [1, 2, 3] }, c: 1 });
  t.same(applyPatch(doc, [{ op: 'replace', path: '/a/b/0', value: 9 }]), { a: { b: [9, 2] }, c: 1 });
  t.same(applyPatch(doc, [{ op: 'remove', path: '/c' }]), { a: { b: [1, 2] } });
  t.same(doc, { a: { b: [1, 2] }, c: 1 }, 'input untouched');
  t.throws(() => applyPatch(doc, [{ op: 'replace', path: '/x', value: 1 }]), /x not found/);
  t.throws(() => applyPatch(doc, [{ op: 'replace', path: '/a/b/5', value: 1 }]), /no element 5/);
});

t.test('every manifest validates against the Kubernetes / cert-manager schemas', async (t) => {
  for (const [k, rs] of Object.entries(rendered)) {
    t.ok(rs.length > 0, `${k} renders resources`);
    for (const r of rs) {
      await t.resolves(schemaValidate(r), `${k}: ${r.kind}/${r.metadata.name}`);
    }
  }
  for (const r of secretTemplate) await t.resolves(schemaValidate(r), `secret template ${r.metadata.name}`);
});

t.test('schema validation does catch a broken manifest', async (t) => {
  const dep = structuredClone(find(rendered['overlays/pi'] ?? [], 'Deployment'));
  const bad = applyPatch(dep, [
    { op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: 'lots' },
  ]);
  await t.rejects(schemaValidate(bad), /quantity/);
});

t.test('strict type check: no unknown or misspelt fields', async (t) => {
  const all = [...Object.values(rendered).flat(), ...secretTemplate];
  const errors = strictTypeCheck(all, repo);
  t.same(errors, [], 'no type errors');
  const dep = structuredClone(find(rendered['overlays/pi'] ?? [], 'Deployment')) as Resource & {
    spec: { template: { spec: { containers: Record<string, unknown>[] } } };
  };
  const c = dep.spec.template.spec.containers[0] ?? {};
  c.readinesProbe = c.readinessProbe;
  const caught = strictTypeCheck([dep], repo);
  t.equal(caught.length, 1, 'a misspelt field is reported');
  t.match(caught[0], /readinesProbe/);
});

t.test('no orphan manifests: every YAML file is used by a kustomization', async (t) => {
  const used = new Set<string>(['secret.template.yaml']);
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      // scripts/deploy.sh's short-lived generated overlay (a concurrent deploy test may create one).
      .filter((f) => !f.startsWith('.deploy-'))
      .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
  for (const f of walk(k8s)) {
    if (!f.endsWith('kustomization.yaml')) continue;
    used.add(relative(k8s, f));
    const kz = parse(readFileSync(f, 'utf8')) as { resources?: string[] };
    for (const r of kz.resources ?? []) {
      const p = join(f, '..', r);
      if (!statSync(p).isDirectory()) used.add(relative(k8s, p));
    }
  }
  for (const f of walk(k8s)) t.ok(used.has(relative(k8s, f)), `${relative(k8s, f)} is referenced`);
});

for (const overlay of ['overlays/pi', 'overlays/scale-out']) {
  t.test(`${overlay}: Deployment follows the operations rules`, async (t) => {
    const rs = rendered[overlay] ?? [];
    const dep = find(rs, 'Deployment', 'gym-agent') as unknown as DeploymentShape;
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    if (!c) return t.fail('no container');
    t.match(c.image, /^localhost\/gym-agent:\d+\.\d+\.\d+/, 'versioned tag');
    t.notMatch(c.image, /:latest$/);
    t.equal(c.imagePullPolicy, 'IfNotPresent');
    t.equal(c.startupProbe?.httpGet?.path, '/healthz');
    t.equal(c.livenessProbe?.httpGet?.path, '/healthz');
    t.equal(c.readinessProbe?.httpGet?.path, '/readyz');
    t.ok(c.resources?.requests?.cpu && c.resources.requests.memory, 'requests');
    t.ok(c.resources?.limits?.cpu && c.resources.limits.memory, 'limits');

    const cm = find(rs, 'ConfigMap', 'gym-agent-config') as unknown as { data: Record<string, string> };
    const cfg = loadConfig({ ...cm.data, API_TOKEN: FILLED_API_TOKEN });
    const preStopS = Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    t.ok(cfg.SHUTDOWN_GRACE_MS >= cfg.MAX_CALL_MS, 'drain grace covers the longest call');
    t.ok(
      pod.terminationGracePeriodSeconds * 1000 > cfg.SHUTDOWN_GRACE_MS + preStopS * 1000,
      `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} s > preStop ${preStopS} s + grace ${cfg.SHUTDOWN_GRACE_MS} ms`,
    );
    t.equal(pod.securityContext.runAsNonRoot, true);
    t.equal(pod.securityContext.runAsUser, 1000, 'the image user');
    t.equal(c.securityContext?.allowPrivilegeEscalation, false);
    t.equal(c.securityContext?.readOnlyRootFilesystem, true);
    t.same(c.securityContext?.capabilities?.drop, ['ALL']);
    const mounts = new Map(c.volumeMounts.map((m) => [m.mountPath, m.name]));
    t.ok(mounts.has('/tmp'), '/tmp is writable');
    t.ok(mounts.has(cfg.DATA_DIR), 'DATA_DIR is writable');
    t.same(
      c.envFrom.map((e) => e.configMapRef?.name ?? e.secretRef?.name),
      ['gym-agent-config', secretTemplate[0]?.metadata.name],
    );
    const svc = find(rs, 'Service', 'gym-agent') as unknown as ServiceShape;
    for (const [k, v] of Object.entries(svc.spec.selector))
      t.equal(dep.spec.template.metadata.labels[k], v, `selector ${k}`);
    t.ok(
      c.ports.some((p) => p.name === svc.spec.ports[0]?.targetPort),
      'service targets a named container port',
    );
    t.equal(Number(cm.data.PORT), c.ports[0]?.containerPort, 'PORT matches the container port');

    const dataVol = pod.volumes.find((v) => v.name === mounts.get(cfg.DATA_DIR));
    if (overlay === 'overlays/pi') {
      t.equal(dep.spec.strategy.type, 'Recreate', 'embedded db: old pod drains and stops first');
      t.equal(dep.spec.replicas, 1);
      const claim = dataVol?.persistentVolumeClaim?.claimName;
      t.ok(
        claim && rs.some((r) => r.kind === 'PersistentVolumeClaim' && r.metadata.name === claim),
        'DATA_DIR on the PVC',
      );
      t.notOk(
        rs.some((r) => r.kind === 'HorizontalPodAutoscaler'),
        'no autoscaling with the embedded db',
      );
    } else {
      t.same(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
      const hpa = find(rs, 'HorizontalPodAutoscaler') as unknown as HpaShape;
      t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gym-agent' });
      const pdb = find(rs, 'PodDisruptionBudget') as unknown as { spec: { minAvailable: number } };
      t.ok(pdb.spec.minAvailable < hpa.spec.minReplicas, 'PDB leaves room for voluntary disruptions');
      t.notOk(
        rs.some((r) => r.kind === 'PersistentVolumeClaim'),
        'no RWO volume shared by replicas',
      );
    }
    t.ok(
      rs.some((r) => r.kind === 'PodDisruptionBudget'),
      'PDB',
    );
  });

  t.test(`${overlay}: Ingress is Traefik with TLS from a defined ClusterIssuer`, async (t) => {
    const rs = rendered[overlay] ?? [];
    const ing = find(rs, 'Ingress') as unknown as IngressShape;
    t.equal(ing.spec.ingressClassName, 'traefik');
    const issuer = ing.metadata.annotations['cert-manager.io/cluster-issuer'];
    const issuers = (rendered['cert-manager'] ?? []).map((r) => r.metadata.name);
    t.ok(issuer && issuers.includes(issuer), `issuer ${issuer} is defined`);
    t.same(ing.spec.tls[0]?.hosts, [ing.spec.rules[0]?.host], 'certificate covers the host');
    t.equal(ing.metadata.annotations['traefik.ingress.kubernetes.io/router.tls'], 'true');
    const paths = ing.spec.rules[0]?.http.paths.map((p) => p.path) ?? [];
    t.ok(paths.includes('/twilio'), 'webhooks and the media-stream WebSocket are routed');
    t.notOk(paths.includes('/metrics') || paths.includes('/'), 'metrics not exposed publicly');
    const cm = find(rs, 'ConfigMap') as unknown as { data: Record<string, string> };
    t.equal(
      new URL(cm.data.PUBLIC_BASE_URL ?? '').host,
      ing.spec.rules[0]?.host,
      'PUBLIC_BASE_URL is the Ingress host',
    );
  });
}

t.test('cert-manager: Let’s Encrypt staging and production issuers', async (t) => {
  const byName = Object.fromEntries(
    (rendered['cert-manager'] ?? []).map((r) => [r.metadata.name, r]),
  ) as unknown as Record<string, { kind: string; spec: { acme: { server: string } } }>;
  t.equal(byName['letsencrypt-staging']?.spec.acme.server, 'https://acme-staging-v02.api.letsencrypt.org/directory');
  t.equal(byName['letsencrypt-prod']?.spec.acme.server, 'https://acme-v02.api.letsencrypt.org/directory');
});

t.test('ConfigMap and Secret template: known variables only, every secret listed, no values', async (t) => {
  const known = new Set([...Object.keys(envSchema.shape), 'NODE_OPTIONS']);
  const cm = find(rendered['overlays/pi'] ?? [], 'ConfigMap') as unknown as { data: Record<string, string> };
  for (const k of Object.keys(cm.data)) t.ok(known.has(k), `ConfigMap ${k} is a real variable`);
  const secret = secretTemplate[0] as unknown as { stringData: Record<string, string> };
  const secretVars = Object.keys(envSchema.shape).filter((k) =>
    /_KEY$|TOKEN|ACCOUNT_SID|PHONE_NUMBER|DATABASE_URL/.test(k),
  );
  t.same(Object.keys(secret.stringData).sort(), secretVars.sort(), 'every secret variable, nothing else');
  for (const [k, v] of Object.entries(secret.stringData)) t.equal(v, '', `${k} has no value`);
  for (const k of Object.keys(secret.stringData)) t.notOk(k in cm.data, `${k} is not in the ConfigMap`);
  const problems = (env: Record<string, string>) => checkConfig(env).findings.filter((f) => f.status === 'problem');
  t.same(problems({ ...cm.data, ...secret.stringData, API_TOKEN: FILLED_API_TOKEN }), [], 'passes doctor, token set');
  t.match(
    problems({ ...cm.data, ...secret.stringData }),
    [{ name: 'HOST' }],
    'without API_TOKEN the pod (HOST 0.0.0.0) refuses to start',
  );
});

interface ContainerShape {
  image: string;
  imagePullPolicy: string;
  ports: { name: string; containerPort: number }[];
  envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts: { name: string; mountPath: string }[];
}
interface DeploymentShape {
  spec: {
    replicas: number;
    strategy: { type: string; rollingUpdate?: unknown };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot: boolean; runAsUser: number };
        containers: ContainerShape[];
        volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
}
interface ServiceShape {
  spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
}
interface HpaShape {
  spec: { minReplicas: number; scaleTargetRef: unknown };
}
interface IngressShape {
  metadata: { annotations: Record<string, string> };
  spec: {
    ingressClassName: string;
    tls: { hosts: string[] }[];
    rules: { host: string; http: { paths: { path: string }[] } }[];
  };
}
