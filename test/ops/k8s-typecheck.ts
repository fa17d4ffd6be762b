import ts from 'typescript';
import { join } from 'node:path';
import type { Resource } from './kustomize-lite.js';

// Strict field check of Kubernetes objects: each object becomes an object literal typed with its
// kubernetes-models interface in a virtual TypeScript file; TypeScript's excess-property check then reports any
// field the API does not define (a misspelt `readinesProbe` the JSON schema would let through).

function typeFor(r: Resource): { module: string; name: string } {
  const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') : ['', r.apiVersion];
  if (group?.endsWith('cert-manager.io'))
    return { module: `@kubernetes-models/cert-manager/${group}/${version}/${r.kind}`, name: `I${r.kind}` };
  return { module: `kubernetes-models/${group ? `${group}/` : ''}${version}/${r.kind}`, name: `I${r.kind}` };
}

/** Returns one message per type error (empty when every object matches its API type exactly). */
export function strictTypeCheck(resources: readonly Resource[], repoRoot: string): string[] {
  const file = join(repoRoot, 'test', 'ops', '__k8s_manifests__.ts');
  const lines = resources.map((r, i) => {
    const { module, name } = typeFor(r);
    return `import type { ${name} as T${i} } from '${module}';\nexport const r${i}: T${i} = ${JSON.stringify(r)};`;
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) =>
    name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
