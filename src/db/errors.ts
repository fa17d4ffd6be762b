// Which database errors are worth retrying. Connection-level failures (server down, restarting, network)
// and transient conflicts are; anything about the data itself (constraint, type, syntax) is permanent and
// retrying it would only block the call's later writes.

const RETRYABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATE classes/codes: 08 connection exception, 53 insufficient resources, 57P0x shutdown/cannot connect,
// 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
const RETRYABLE_SQLSTATE = /^(08|53|57P0[1-4]|40001|40P01|55P03)/;

const RETRYABLE_MESSAGES = [
  /connection terminated/i,
  /connection timeout/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /client has encountered a connection error/i,
  /not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isRetryableDbError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  if (RETRYABLE_NODE_CODES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code)) return RETRYABLE_SQLSTATE.test(code);
  const msg = typeof err.message === 'string' ? err.message : '';
  return RETRYABLE_MESSAGES.some((re) => re.test(msg));
}

/** Log-safe description: never the `detail` field, which quotes row values (names, phone numbers). */
export function describeDbError(e: unknown): { code?: string; constraint?: string; message: string } {
  if (typeof e !== 'object' || e === null) return { message: String(e) };
  const err = e as { code?: unknown; constraint?: unknown; message?: unknown };
  const out: { code?: string; constraint?: string; message: string } = {
    message: typeof err.message === 'string' ? err.message.slice(0, 300) : 'unknown error',
  };
  if (typeof err.code === 'string') out.code = err.code;
  if (typeof err.constraint === 'string') out.constraint = err.constraint;
  return out;
}
