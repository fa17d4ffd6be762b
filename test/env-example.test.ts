import t from 'tap';
import { readFile } from 'node:fs/promises';
import { envSchema } from '../src/config/env.js';
import { repoPath } from './support/repo.js';

// .env.example is what `serve --help` points a new user to: every variable src/config/env.ts reads, each with its
// default and a line saying what it means. Checked here so the two cannot drift apart.

interface Entry {
  name: string;
  value: string;
  meaning: string;
}

async function entries(): Promise<Entry[]> {
  const lines = (await readFile(repoPath('.env.example'), 'utf8')).split('\n');
  const out: Entry[] = [];
  lines.forEach((line, i) => {
    const m = /^# ([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) return;
    const above = lines[i - 1] ?? '';
    const meaning = /^# (?![A-Z][A-Z0-9_]*=)(.+)$/.exec(above)?.[1] ?? '';
    out.push({ name: m[1] as string, value: m[2] as string, meaning });
  });
  return out;
}

const shape = envSchema.shape as Record<string, { parse(v: unknown): unknown }>;

t.test('.env.example lists every variable of src/config/env.ts, once, and nothing else', async (t) => {
  const names = (await entries()).map((e) => e.name);
  const known = Object.keys(shape);
  t.same(
    known.filter((k) => !names.includes(k)),
    [],
    'missing from .env.example',
  );
  t.same(
    names.filter((n) => !known.includes(n)),
    [],
    'in .env.example but not read by the app',
  );
  t.equal(new Set(names).size, names.length, 'each variable once');
});

t.test('each variable shows its default and says what it means', async (t) => {
  for (const e of await entries()) {
    const field = shape[e.name];
    if (!field) continue;
    t.same(field.parse(e.value), field.parse(undefined), `${e.name}=${e.value} is the default`);
    t.ok(e.meaning.length >= 5, `${e.name}: a comment line above says what it is`);
  }
});
