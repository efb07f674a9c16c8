import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { InvalidValueError } from '@stance-ledger/domain';
import ipaddr from 'ipaddr.js';

/** A receiver's address the policy refuses: the delivery fails as a connection would, and is retried. */
export class RefusedAddressError extends Error {
  readonly code = 'webhook_address_refused';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${hostname} resolves to ${address} (${range}), which WEBHOOK_ALLOWED_HOSTS does not list`);
  }
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Names that are loopback by definition (RFC 6761): refused at creation without a DNS question. */
const LOOPBACK_NAMES = /^(localhost|.+\.localhost)\.?$/i;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** An address as ipaddr.js reads it, IPv4-mapped IPv6 (`::ffff:127.0.0.1`) as the IPv4 it maps. */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  return ipaddr.process(bare);
}

/**
 * Where webhook deliveries may go. By default public unicast addresses only: every range
 * ipaddr.js classifies as anything but `unicast` (loopback, private, link-local, unique-local,
 * CGNAT, multicast, unspecified, reserved, the IPv6 forms embedding IPv4 such as NAT64 and 6to4)
 * is refused, IPv4-mapped IPv6 judged as the IPv4 it maps. WEBHOOK_ALLOWED_HOSTS lists exceptions:
 * host names (trusted whatever they resolve to), addresses and CIDR ranges.
 */
export class HostPolicy {
  constructor(
    private readonly names: ReadonlySet<string>,
    private readonly ranges: readonly Cidr[],
  ) {}

  /** Why `address` is refused for `hostname`, or undefined when it may be reached. */
  refusal(address: string, hostname = address): string | undefined {
    if (this.names.has(normalName(hostname))) return undefined;
    const parsed = parseAddress(address);
    if (!parsed) return 'not an IP address';
    if (this.ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) return undefined;
    const range = parsed.range();
    return range === 'unicast' ? undefined : range;
  }

  /**
   * The host of a URL as written, checked when a webhook is created: an IP literal by its range,
   * a loopback name refused; other names are checked at every delivery, once resolved.
   */
  checkUrlHost(hostname: string): void {
    if (this.names.has(normalName(hostname))) return;
    const literal = parseAddress(hostname);
    const why = literal ? this.refusal(literal.toString(), literal.toString()) : LOOPBACK_NAMES.test(hostname) ? 'loopback' : undefined;
    if (why) {
      throw new InvalidValueError('url', 'allowedHost', `url must point at a public address or a host WEBHOOK_ALLOWED_HOSTS lists: ${hostname} is ${why}`);
    }
  }

  /**
   * A `lookup` for node:http(s) requests: the name is resolved here and the connection made to the
   * address checked, so a DNS answer that changes between the check and the connection (rebinding)
   * cannot send a delivery elsewhere. Every address of the answer must pass.
   */
  lookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
    return (hostname, options, callback) => {
      resolve(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '', 0);
        const list = addresses as unknown as LookupAddress[];
        for (const { address } of list) {
          const why = this.refusal(address, hostname);
          if (why) return callback(new RefusedAddressError(hostname, address, why) as NodeJS.ErrnoException, '', 0);
        }
        if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if ((options as { all?: boolean }).all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, list);
        callback(null, list[0].address, list[0].family);
      });
    };
  }
}

function normalName(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
}

/** WEBHOOK_ALLOWED_HOSTS: comma-separated host names, IP addresses and CIDR ranges; throws naming a bad entry. */
export function parseHostPolicy(setting: string | undefined): HostPolicy {
  const names = new Set<string>();
  const ranges: Cidr[] = [];
  for (const raw of (setting ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`WEBHOOK_ALLOWED_HOSTS: ${JSON.stringify(entry)} is not a CIDR range (e.g. 10.0.0.0/8, fd00::/8)`);
      const [address, bits] = ipaddr.parseCIDR(entry);
      // A range of IPv4-mapped addresses is the IPv4 range it maps: addresses are compared so.
      ranges.push(address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96 ? [(address as ipaddr.IPv6).toIPv4Address(), bits - 96] : [address, bits]);
    } else if (parseAddress(entry)) {
      const address = parseAddress(entry)!;
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOSTNAME.test(entry)) {
      names.add(normalName(entry));
    } else {
      throw new Error(`WEBHOOK_ALLOWED_HOSTS: ${JSON.stringify(entry)} is neither a host name, an IP address nor a CIDR range`);
    }
  }
  return new HostPolicy(names, ranges);
}

/** A receiver's URL: absolute http(s), no credentials in it, its host allowed by the policy. */
export function parseWebhookUrl(value: string, policy: HostPolicy): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidValueError('url', 'isAbsoluteUrl', `url must be an absolute http:// or https:// URL, got ${JSON.stringify(value.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidValueError('url', 'httpScheme', `url must use http or https, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username || url.password) {
    throw new InvalidValueError('url', 'noCredentials', 'url must not carry a user name or password: deliveries are authenticated by their signature');
  }
  if (url.hash) throw new InvalidValueError('url', 'noFragment', 'url must not have a #fragment');
  policy.checkUrlHost(url.hostname);
  return url;
}
