/**
 * Runs a CLI command (a `run` of src/cli/commands/) with the given environment (`undefined` removes a variable),
 * capturing what it writes to stdout and stderr: tap reports on stdout too, so the streams are back before any result
 * is checked.
 */
export async function runCli(
  fn: (a: string[]) => Promise<number>,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  const saved = { ...process.env };
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  let out = '';
  let err = '';
  Object.assign(process.env, { LOG_LEVEL: 'silent' }, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await fn(args), out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.env = saved;
  }
}
