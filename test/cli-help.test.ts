import t from 'tap';
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { COMMAND_SUMMARIES, COMMANDS, main } from '../src/cli/main.js';
import { reviewUrl } from '../src/review/url.js';
import { repoPath } from './support/repo.js';

// What a new user reads first: `gym-agent --help` says what each command does, `serve --help` points to a file
// that exists, and the server's start-up line says where the review page is.

async function stdoutOf(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}

t.test('gym-agent --help: one line per command saying what it does', async (t) => {
  const { code, out } = await stdoutOf(() => main(['--help']));
  t.equal(code, 0);
  const lines = out.split('\n');
  for (const c of COMMANDS)
    t.ok(
      lines.some((l) => l.startsWith(`  ${c} `) && l.trimEnd().endsWith(COMMAND_SUMMARIES[c])),
      `${c}: ${COMMAND_SUMMARIES[c]}`,
    );
  const files = (await readdir(repoPath('src/cli/commands')))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  t.same([...COMMANDS].sort(), files, 'every command file is listed, and only those');
});

t.test('serve --help names files that exist', async (t) => {
  const { code, out } = await stdoutOf(() => main(['serve', '--help']));
  t.equal(code, 0);
  const named = [...out.matchAll(/(?:^|\s|\()((?:docs\/)?[\w./-]+\.(?:md|example))\b/g)].map((m) => m[1] as string);
  t.ok(named.includes('.env.example'), `points to .env.example (${named.join(', ')})`);
  for (const f of named) t.ok(existsSync(repoPath(f)), `${f} exists`);
});

t.test('the start-up line gives the review URL', async (t) => {
  t.equal(
    reviewUrl({ PUBLIC_BASE_URL: 'https://agent.example.com/', HOST: '0.0.0.0' }, 8080),
    'https://agent.example.com/review',
  );
  t.equal(reviewUrl({ PUBLIC_BASE_URL: undefined, HOST: '0.0.0.0' }, 8080), 'http://localhost:8080/review');
  t.equal(reviewUrl({ PUBLIC_BASE_URL: undefined, HOST: '127.0.0.1' }, 41234), 'http://127.0.0.1:41234/review');
  t.equal(reviewUrl({ PUBLIC_BASE_URL: undefined, HOST: '::1' }, 80), 'http://[::1]:80/review');
});
