import type { Config } from '../config/index.js';

// Where a person opens the review page, for the server's start-up line: the public URL when there is one,
// otherwise this machine's listening address (a wildcard address is reached as localhost).

export function reviewUrl(config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST'>, port: number): string {
  if (config.PUBLIC_BASE_URL !== undefined) return `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/review`;
  const wildcard = config.HOST === '0.0.0.0' || config.HOST === '::' || config.HOST === '';
  const host = wildcard ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${port}/review`;
}
