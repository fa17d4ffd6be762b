import type { LevelWithSilent } from 'pino';
import { AppError } from '../errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The value of a --log-level option, or a BAD_ARGUMENT error naming the choices. */
export function parseLogLevel(value: string | undefined): LevelWithSilent {
  const level = LOG_LEVELS.find((l) => l === value);
  if (level === undefined) throw new AppError('BAD_ARGUMENT', `--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
