import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { canonicalAddress, isPrivateAddress } from './address-ranges.js';

/** Resolves a host name to all its addresses (injectable for tests). */
export type Lookup = (hostname: string) => Promise<readonly { address: string }[]>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The error a refused destination produces (undici reports it as the request's failure). */
class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  readonly code = 'LWT_DESTINATION_REFUSED';
}

/**
 * An undici connector that checks the address it actually connects to — after DNS — so a
 * partner host name that resolves (or is re-bound) to a loopback, private or link-local address
 * is refused unless `allowPrivate(address)` says otherwise. The TLS name stays the host name.
 */
export function createGuardedConnector(allowPrivate: (address: string) => boolean, lookup: Lookup = systemLookup): buildConnector.connector {
  const connect = buildConnector({});
  return (options, callback) => {
    const hostname = options.hostname.replace(/^\[|\]$/g, '');
    const candidates = isIP(hostname) !== 0 ? Promise.resolve([{ address: hostname }]) : lookup(hostname);
    candidates.then(
      (addresses) => {
        const chosen = addresses.map((entry) => entry.address).find((address) => !isPrivateAddress(address) || allowPrivate(address));
        if (chosen === undefined) {
          callback(new DestinationRefusedError(`no allowed address for the partner host (private, loopback or link-local)`), null);
          return;
        }
        const servername = isIP(hostname) === 0 ? hostname : undefined;
        connect({ ...options, hostname: canonicalAddress(chosen), ...(servername === undefined ? {} : { servername }) }, callback);
      },
      (error: unknown) => callback(error as Error, null),
    );
  };
}
