import { isIP } from 'node:net';

/** localhost, 127.0.0.0/8 or ::1 (brackets of a URL's IPv6 host allowed): addresses only this machine can connect to. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}
