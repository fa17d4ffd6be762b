import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

// A small kustomize for the tests (kubectl/kustomize are not installed in CI): exactly the features k8s/ uses
// — resources (files and directories), namespace, images, and JSON 6902 patches with a kind/name target — and
// a loud error for anything else, so a manifest can never rely on a feature this renderer silently ignores.

export type Resource = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<
  string,
  unknown
>;

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterIssuer', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass']);

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

export function readYamlDocs(file: string): Resource[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: Resource[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    const v = d.toJS() as Resource | null;
    if (v !== null) out.push(v);
  }
  return out;
}

export function render(dir: string): Resource[] {
  const root = resolve(dir);
  const k = parse(readFileSync(join(root, 'kustomization.yaml'), 'utf8')) as Kustomization & Record<string, unknown>;
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new Error(`${root}: unsupported field ${key}`);
  if (k.kind !== 'Kustomization') throw new Error(`${root}: kind must be Kustomization`);
  let out: Resource[] = [];
  for (const r of k.resources ?? []) {
    const p = resolve(root, r);
    out.push(...(statSync(p).isDirectory() ? render(p) : readYamlDocs(p)));
  }
  const seen = new Set<string>();
  for (const r of out) {
    const id = `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
    if (seen.has(id)) throw new Error(`${root}: duplicate resource ${id}`);
    seen.add(id);
  }
  if (k.namespace) out = out.map((r) => (CLUSTER_SCOPED.has(r.kind) ? r : withNamespace(r, k.namespace ?? '')));
  for (const img of k.images ?? []) out = out.map((r) => setImage(r, img));
  for (const p of k.patches ?? []) {
    const targets = out.filter((r) => r.kind === p.target.kind && r.metadata.name === p.target.name);
    if (targets.length !== 1)
      throw new Error(`${root}: patch target ${p.target.kind}/${p.target.name} matched ${targets.length}`);
    const ops = parse(p.patch) as PatchOp[];
    const patched = applyPatch(targets[0] as Resource, ops);
    out = out.map((r) => (r === targets[0] ? patched : r));
  }
  return out;
}

function withNamespace(r: Resource, ns: string): Resource {
  return { ...r, metadata: { ...r.metadata, namespace: ns } };
}

function setImage(r: Resource, img: { name: string; newName?: string; newTag?: string }): Resource {
  const copy = structuredClone(r);
  const spec = (copy as { spec?: { template?: { spec?: { containers?: { image: string }[] } } } }).spec;
  for (const c of spec?.template?.spec?.containers ?? []) {
    const at = c.image.lastIndexOf(':');
    const name = at > c.image.lastIndexOf('/') ? c.image.slice(0, at) : c.image;
    const tag = at > c.image.lastIndexOf('/') ? c.image.slice(at + 1) : undefined;
    if (name !== img.name) continue;
    const newTag = img.newTag ?? tag;
    c.image = `${img.newName ?? name}${newTag ? `:${newTag}` : ''}`;
  }
  return copy;
}

export interface PatchOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

/** RFC 6902 add/remove/replace on a copy. Paths must exist (replace/remove) or have an existing parent (add). */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  const copy = structuredClone(doc) as unknown;
  for (const op of ops) {
    if (!['add', 'remove', 'replace'].includes(op.op)) throw new Error(`unsupported patch op ${op.op}`);
    const parts = op.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error(`bad patch path ${op.path}`);
    let parent = copy as Record<string, unknown> | unknown[];
    for (const p of parts) {
      const next = (parent as Record<string, unknown>)[p];
      if (next === null || typeof next !== 'object') throw new Error(`patch path ${op.path}: ${p} not found`);
      parent = next as Record<string, unknown>;
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0) throw new Error(`patch path ${op.path}: bad index`);
      if (i > parent.length || (op.op !== 'add' && i === parent.length))
        throw new Error(`patch path ${op.path}: no element ${i}`);
      if (op.op === 'add') parent.splice(i, 0, op.value);
      else if (op.op === 'replace') parent[i] = op.value;
      else parent.splice(i, 1);
    } else {
      if (op.op !== 'add' && !(last in parent)) throw new Error(`patch path ${op.path}: ${last} not found`);
      if (op.op === 'remove') delete parent[last];
      else parent[last] = op.value;
    }
  }
  return copy as T;
}
