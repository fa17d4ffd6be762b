import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

// Where a webhook may never go. The URL is operator configuration, not user input, but a mistyped or hijacked name
// that resolves to the cloud metadata service (169.254.169.254 on AWS, GCP and Azure; fd00:ec2::254 on AWS over
// IPv6; 100.100.100.200 on Alibaba) would hand a signed request, and whatever the receiver echoes, to the one
// address that gives out credentials. Link-local, unspecified, multicast and reserved addresses are refused with
// it; private networks are not (an in-cluster receiver is a normal set-up). The check runs on every connection's
// resolved address (connectLookup below), so a name that resolves there later is refused too.

const BLOCKED = new BlockList();
BLOCKED.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network": 0.0.0.0 reaches the local host on Linux
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, the metadata services
BLOCKED.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
BLOCKED.addSubnet('224.0.0.0', 4, 'ipv4'); // multicast
BLOCKED.addSubnet('240.0.0.0', 4, 'ipv4'); // reserved, broadcast
BLOCKED.addAddress('::', 'ipv6');
BLOCKED.addSubnet('fe80::', 10, 'ipv6'); // link-local
BLOCKED.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
BLOCKED.addSubnet('ff00::', 8, 'ipv6'); // multicast

/** Host names of metadata services that resolve only inside their cloud. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data']);

/** True for an address a webhook must never be sent to (IPv4-mapped IPv6 addresses count as their IPv4). */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return BLOCKED.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** A URL host (brackets of an IPv6 literal removed) that is forbidden on its face: a blocked literal or metadata name. */
export function isForbiddenHost(host: string): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return METADATA_NAMES.has(h) || isForbiddenAddress(h);
}

export class ForbiddenAddressError extends Error {
  constructor(readonly address: string) {
    super('the webhook host resolves to a link-local or metadata address');
    this.name = 'ForbiddenAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * `dns.lookup` for the webhook agent's sockets (undici's `connect.lookup`): resolves as usual and fails the
 * connection when any address it would use is forbidden. Checking every address, not just the first, means a
 * name with one good and one metadata address is refused rather than working by luck of the order.
 */
export function connectLookup(
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const bad = addresses.find((a) => isForbiddenAddress(a.address));
    if (bad) return callback(new ForbiddenAddressError(bad.address), '');
    if ((options as LookupAllOptions).all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
}
