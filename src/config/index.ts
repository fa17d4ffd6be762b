import { envSchema, type Env } from './env.js';
import { AppError } from '../errors.js';
import { isLoopback } from '../net/loopback.js';
import { webhookConfigProblems } from '../webhooks/config.js';

export { isLoopback };

export type Config = Readonly<Omit<Env, 'HOST'> & { HOST: string }>;

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
  if (cfg.AMD === 'async' && cfg.TWILIO_MACHINE_DETECTION)
    problems.push('  AMD: async and TWILIO_MACHINE_DETECTION=true are two detections of one call; choose one');
  if (cfg.ENDPOINT_SEMANTIC_MS > cfg.ENDPOINT_SHORT_MS)
    problems.push('  ENDPOINT_SEMANTIC_MS: must not exceed ENDPOINT_SHORT_MS');
  if (cfg.ENDPOINT_SHORT_MS > cfg.ENDPOINT_LONG_MS)
    problems.push('  ENDPOINT_SHORT_MS: must not exceed ENDPOINT_LONG_MS');
  if (cfg.ENDPOINT_LONG_MS > cfg.ENDPOINT_MAX_MS) problems.push('  ENDPOINT_LONG_MS: must not exceed ENDPOINT_MAX_MS');
  // Fail closed: without a token the API that places calls and the transcripts are open to whoever reaches the
  // port, so then only this machine may reach it. A deployment that listens on the network must set a token.
  const host = cfg.HOST ?? (cfg.API_TOKEN === undefined ? '127.0.0.1' : '0.0.0.0');
  if (cfg.API_TOKEN === undefined && !isLoopback(host))
    problems.push(
      `  HOST: ${host} is reachable from the network; set API_TOKEN (at least 32 characters) or listen on 127.0.0.1`,
    );
  problems.push(...webhookConfigProblems(cfg));
  if (problems.length > 0) throw new AppError('CONFIG_INVALID', `invalid configuration:\n${problems.join('\n')}`);
  return Object.freeze({ ...cfg, HOST: host });
}

/**
 * The DSP addon's settings alone (DSP_ADDON_PATH, DSP_FORCE_SCALAR), validated as loadConfig does, for the tools
 * that load the addon without the rest of the configuration (gym-agent dsp, the demo, bench:dsp). The shape is
 * loadDsp()'s options.
 */
export function dspOptionsFromEnv(env: Record<string, string | undefined> = process.env): {
  path: string | undefined;
  forceScalar: boolean;
} {
  const parsed = envSchema.pick({ DSP_ADDON_PATH: true, DSP_FORCE_SCALAR: true }).safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`);
  }
  return { path: parsed.data.DSP_ADDON_PATH, forceScalar: parsed.data.DSP_FORCE_SCALAR };
}
