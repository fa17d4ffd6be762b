import { pino, type Logger, type LevelWithSilent } from 'pino';

// Structured logs. Phone numbers, names and secrets are never put in messages; when they travel as fields
// these paths are redacted so a careless call site still cannot leak them.
export const REDACT_PATHS = [
  'phone',
  'phoneNumber',
  'phone_number',
  'to',
  'from',
  'gymName',
  'gym_name',
  'name',
  'authToken',
  'apiKey',
  'token',
  'headers.authorization',
  '*.phone',
  '*.phoneNumber',
  '*.to',
  '*.from',
  '*.gymName',
  '*.apiKey',
];

export function createLogger(level: LevelWithSilent = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { svc: 'gym-call-agent' } },
    destination ?? pino.destination(2),
  );
}

export type { Logger };
