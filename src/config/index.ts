import { envSchema, type Env } from './env.js';
import { AppError } from '../errors.js';

export type Config = Readonly<Env>;

/** Parse and validate the environment once; every bad or missing variable is named in one error. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  const problems: string[] = [];
  if (cfg.TWILIO_ACCOUNT_SID && !cfg.TWILIO_AUTH_TOKEN)
    problems.push('  TWILIO_AUTH_TOKEN: required when TWILIO_ACCOUNT_SID is set');
  if (cfg.ENDPOINT_SHORT_MS > cfg.ENDPOINT_LONG_MS)
    problems.push('  ENDPOINT_SHORT_MS: must not exceed ENDPOINT_LONG_MS');
  if (cfg.ENDPOINT_LONG_MS > cfg.ENDPOINT_MAX_MS) problems.push('  ENDPOINT_LONG_MS: must not exceed ENDPOINT_MAX_MS');
  if (problems.length > 0) throw new AppError('CONFIG_INVALID', `invalid configuration:\n${problems.join('\n')}`);
  return Object.freeze({ ...cfg });
}
