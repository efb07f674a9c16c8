import type { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { InvalidValueError } from '@stance-ledger/domain';
import { parseHostPolicy, parseWebhookUrl, RefusedAddressError } from './host-policy';

/** A resolver answering from a table, as a DNS server under someone else's control might. */
function fakeDns(answers: Record<string, LookupAddress[]>): typeof dnsLookup {
  return ((hostname: string, _options: unknown, callback: (error: Error | null, addresses: LookupAddress[]) => void) => {
    const found = answers[hostname];
    if (!found) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, found);
  }) as unknown as typeof dnsLookup;
}

function resolveWith(policy: ReturnType<typeof parseHostPolicy>, dns: typeof dnsLookup, hostname: string, all = false) {
  return new Promise<{ error: Error | null; address: unknown }>((done) =>
    policy.lookup(dns)(hostname, { all } as never, (error: Error | null, address: unknown) => done({ error, address })),
  );
}

describe('the webhook host policy', () => {
  const defaults = parseHostPolicy(undefined);

  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'rfc6052'],
  ])('refuses %s (%s) by default', (address, range) => {
    expect(defaults.refusal(address)).toBe(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '172.32.0.1', '100.128.0.1'])('allows the public address %s', (address) => {
    expect(defaults.refusal(address)).toBeUndefined();
  });

  it('allows what WEBHOOK_ALLOWED_HOSTS lists: an address, a CIDR range, an IPv4-mapped form of a listed range, a host name whatever it resolves to', () => {
    const policy = parseHostPolicy('127.0.0.1, 10.20.0.0/16, fd00::/8, hooks.internal');
    expect(policy.refusal('127.0.0.1')).toBeUndefined();
    expect(policy.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(policy.refusal('127.0.0.2')).toBe('loopback');
    expect(policy.refusal('10.20.5.6')).toBeUndefined();
    expect(policy.refusal('10.21.5.6')).toBe('private');
    expect(policy.refusal('fd00::5')).toBeUndefined();
    expect(policy.refusal('10.9.9.9', 'hooks.internal')).toBeUndefined();
    expect(policy.refusal('10.9.9.9', 'HOOKS.internal.')).toBeUndefined();
    expect(policy.refusal('10.9.9.9', 'other.internal')).toBe('private');
  });

  it('refuses a bad WEBHOOK_ALLOWED_HOSTS entry, naming it', () => {
    expect(() => parseHostPolicy('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
    expect(() => parseHostPolicy('good.example, bad host')).toThrow(/"bad host"/);
  });

  it('checks a URL when a webhook is created: http(s), absolute, no credentials, an allowed literal host', () => {
    const field = (value: string) => {
      try {
        parseWebhookUrl(value, defaults);
      } catch (error) {
        return error instanceof InvalidValueError ? [error.field, error.rule] : String(error);
      }
      return 'accepted';
    };
    expect(field('https://hooks.example.org/x')).toBe('accepted');
    expect(field('http://8.8.8.8:8080/in')).toBe('accepted');
    expect(field('/relative/path')).toEqual(['url', 'isAbsoluteUrl']);
    expect(field('ftp://hooks.example.org/x')).toEqual(['url', 'httpScheme']);
    expect(field('https://user:pw@hooks.example.org/x')).toEqual(['url', 'noCredentials']);
    expect(field('http://127.0.0.1:9000/in')).toEqual(['url', 'allowedHost']);
    // The URL parser reads these as 127.0.0.1 before the policy does.
    expect(field('http://2130706433/in')).toEqual(['url', 'allowedHost']);
    expect(field('http://0x7f.1/in')).toEqual(['url', 'allowedHost']);
    expect(field('http://[::ffff:127.0.0.1]/in')).toEqual(['url', 'allowedHost']);
    expect(field('http://[::1]/in')).toEqual(['url', 'allowedHost']);
    expect(field('http://169.254.169.254/latest/meta-data')).toEqual(['url', 'allowedHost']);
    expect(field('http://localhost:9000/in')).toEqual(['url', 'allowedHost']);
    expect(field('http://api.localhost/in')).toEqual(['url', 'allowedHost']);
    expect(() => parseWebhookUrl('http://127.0.0.1:9000/in', parseHostPolicy('127.0.0.1'))).not.toThrow();
  });

  it('refuses, at delivery, a host name that resolves to a refused address, whatever it looked like when the webhook was created', async () => {
    const dns = fakeDns({
      'rebinding.example.org': [{ address: '127.0.0.1', family: 4 }],
      'mixed.example.org': [
        { address: '8.8.8.8', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
      'mapped.example.org': [{ address: '::ffff:192.168.0.10', family: 6 }],
      'public.example.org': [{ address: '8.8.4.4', family: 4 }],
    });
    // Accepted when created: a name is checked once resolved.
    expect(() => parseWebhookUrl('https://rebinding.example.org/in', defaults)).not.toThrow();
    const rebinding = await resolveWith(defaults, dns, 'rebinding.example.org');
    expect(rebinding.error).toBeInstanceOf(RefusedAddressError);
    expect(rebinding.error!.message).toContain('127.0.0.1 (loopback)');
    // One refused address in the answer is enough to refuse: the socket might pick it.
    expect((await resolveWith(defaults, dns, 'mixed.example.org', true)).error).toBeInstanceOf(RefusedAddressError);
    expect((await resolveWith(defaults, dns, 'mapped.example.org')).error).toBeInstanceOf(RefusedAddressError);
    const allowed = await resolveWith(defaults, dns, 'public.example.org');
    expect(allowed).toEqual({ error: null, address: '8.8.4.4' });
    const all = await resolveWith(defaults, dns, 'public.example.org', true);
    expect(all).toEqual({ error: null, address: [{ address: '8.8.4.4', family: 4 }] });
    // Listed by name: trusted whatever it resolves to.
    expect((await resolveWith(parseHostPolicy('rebinding.example.org'), dns, 'rebinding.example.org')).error).toBeNull();
    // The real resolver: localhost is loopback.
    expect((await resolveWith(defaults, (await import('node:dns')).lookup, 'localhost')).error).toBeInstanceOf(RefusedAddressError);
  });
});
