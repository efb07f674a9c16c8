import { InvalidConfigError, validateConfig } from './app-config';

function problemsOf(env: Record<string, unknown>): string[] {
  try {
    validateConfig(env);
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

const OIDC = {
  OIDC_ISSUER: 'https://id.example.org/realms/team',
  OIDC_AUDIENCE: 'stance-ledger',
  OIDC_JWKS_URI: 'https://id.example.org/realms/team/protocol/openid-connect/certs',
};

describe('validateConfig', () => {
  it('gives the defaults to an empty environment, and to empty variables', () => {
    for (const env of [{}, { HOST: '', SEED_DEMO_DATA: '', PUBLIC_READS: '', RATE_LIMIT_PER_MINUTE: '' }]) {
      const config = validateConfig(env);
      expect(config.HOST).toBe('127.0.0.1');
      expect(config.SEED_DEMO_DATA).toBe(true);
      expect(config.PUBLIC_READS).toBe(false);
      expect(config.RATE_LIMIT_PER_MINUTE).toBe(6000);
      expect(config.OIDC_ISSUER).toBeUndefined();
      expect(config.BOOTSTRAP_ADMIN_KEY).toBeUndefined();
    }
  });

  it('ignores variables that are not its settings', () => {
    expect(() => validateConfig({ PATH: '/usr/bin', HOME: '/root', SEED_DEMO: 'maybe' })).not.toThrow();
  });

  describe.each(['SEED_DEMO_DATA', 'PUBLIC_READS'] as const)('the boolean %s', (name) => {
    it.each([
      ['true', true],
      ['false', false],
      ['1', true],
      ['0', false],
      ['FALSE', false],
      [' true ', true],
      [true, true],
      [false, false],
    ])('reads %j as %s', (value, expected) => {
      expect(validateConfig({ [name]: value })[name]).toBe(expected);
    });

    it.each(['yes', 'no', 'flase', 'on', 'off', '2', 'true!', 'null'])('refuses %j, naming the variable and the value', (value) => {
      expect(problemsOf({ [name]: value })).toEqual([`${name} must be true or false (got ${JSON.stringify(value)})`]);
    });
  });

  it('SEED_DEMO_DATA=false is false, not a non-empty string read as true', () => {
    expect(validateConfig({ SEED_DEMO_DATA: 'false' }).SEED_DEMO_DATA).toBe(false);
  });

  describe('HOST', () => {
    it.each(['0.0.0.0', '127.0.0.1', '::', '::1', 'localhost', 'api.internal.example.org'])('accepts %s', (host) => {
      expect(validateConfig({ HOST: host }).HOST).toBe(host);
    });

    it.each(['http://0.0.0.0', '0.0.0.0/0', 'two hosts', 'x'.repeat(256)])('refuses %j, naming HOST', (host) => {
      const problems = problemsOf({ HOST: host });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^HOST must be a host name or an IP address/);
    });
  });

  describe('the OIDC settings', () => {
    it('enable JWTs all three together', () => {
      const config = validateConfig(OIDC);
      expect([config.OIDC_ISSUER, config.OIDC_AUDIENCE, config.OIDC_JWKS_URI]).toEqual(Object.values(OIDC));
      expect(config.OIDC_ROLES_CLAIM).toBe('roles');
    });

    const partial = Object.keys(OIDC).flatMap((first, index, names) => [
      [first],
      ...names.slice(index + 1).map((second) => [first, second]),
    ]);
    it.each(partial)('refuses %s without the others (all or nothing)', (...names: string[]) => {
      const env = Object.fromEntries(names.map((name) => [name, OIDC[name as keyof typeof OIDC]]));
      expect(problemsOf(env)).toEqual(['OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URI must be set together (or none of them)']);
    });

    it('refuses a JWKS address that is not an http(s) URL', () => {
      expect(problemsOf({ ...OIDC, OIDC_JWKS_URI: 'id.example.org/certs' })).toEqual([
        'OIDC_JWKS_URI must be an http:// or https:// URL (got "id.example.org/certs")',
      ]);
    });

    it('reads the roles claim named by OIDC_ROLES_CLAIM', () => {
      expect(validateConfig({ ...OIDC, OIDC_ROLES_CLAIM: 'realm_access.roles' }).OIDC_ROLES_CLAIM).toBe('realm_access.roles');
      expect(problemsOf({ ...OIDC, OIDC_ROLES_CLAIM: 'two words' })[0]).toMatch(/^OIDC_ROLES_CLAIM must be a claim name/);
    });
  });

  describe('BOOTSTRAP_ADMIN_KEY', () => {
    it.each(['A'.repeat(32), 'abcdefghijklmnopqrstuvwxyz_-0123456789ABCDEF'])('accepts %s (at least 32 of A-Za-z0-9_-)', (key) => {
      expect(validateConfig({ BOOTSTRAP_ADMIN_KEY: key }).BOOTSTRAP_ADMIN_KEY).toBe(key);
    });

    it.each([
      ['31 characters', 'k'.repeat(31)],
      ['a space', `${'k'.repeat(32)} secret`],
      ['a character out of the set', `${'k'.repeat(32)}+/=`],
    ])('refuses one with %s, naming the variable and never echoing the value', (_, key) => {
      let message = '';
      try {
        validateConfig({ BOOTSTRAP_ADMIN_KEY: key });
      } catch (error) {
        message = (error as Error).message;
        expect((error as InvalidConfigError).problems.join('\n')).not.toContain(key.slice(0, 16));
      }
      expect(message).toContain('BOOTSTRAP_ADMIN_KEY must be at least 32 characters of A-Z, a-z, 0-9, _ and -');
      expect(message).toContain('(got a value that breaks the rule)');
      // Not the value, nor any recognisable piece of it.
      expect(message).not.toContain(key.slice(0, 16));
      expect(message).not.toContain('kkkk');
    });
  });

  describe('RATE_LIMIT_PER_MINUTE', () => {
    it.each([
      ['1', 1],
      ['6000', 6000],
      ['100000000', 100_000_000],
    ])('accepts %s', (value, expected) => {
      expect(validateConfig({ RATE_LIMIT_PER_MINUTE: value }).RATE_LIMIT_PER_MINUTE).toBe(expected);
    });

    it.each(['0', '-1', '100000001', '1.5', 'many', '1e3x'])('refuses %j, naming the variable and its bounds', (value) => {
      expect(problemsOf({ RATE_LIMIT_PER_MINUTE: value })).toEqual([
        `RATE_LIMIT_PER_MINUTE must be an integer between 1 and 100000000 (got ${JSON.stringify(value)})`,
      ]);
    });
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ SEED_DEMO_DATA: 'yes', RATE_LIMIT_PER_MINUTE: '0', OIDC_ISSUER: OIDC.OIDC_ISSUER });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/SEED_DEMO_DATA[\s\S]*RATE_LIMIT_PER_MINUTE[\s\S]*OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URI/);
  });

  it('reads the webhook settings, with their defaults, and refuses bad ones naming them (never echoing the key)', () => {
    const defaults = validateConfig({});
    expect(defaults).toMatchObject({ WEBHOOK_DELIVERIES: 'on', WEBHOOK_TIMEOUT_MS: 10_000, WEBHOOK_RETRY_HORIZON_MS: 86_400_000, WEBHOOK_RETRY_BASE_MS: 1000, WEBHOOK_MAX_CONCURRENT: 16 });
    expect(defaults.WEBHOOK_SECRET_KEY).toBeUndefined();
    expect(defaults.WEBHOOK_ALLOWED_HOSTS).toBeUndefined();
    const key = 'ab'.repeat(32);
    expect(validateConfig({ WEBHOOK_SECRET_KEY: key, WEBHOOK_ALLOWED_HOSTS: 'hooks.internal, 10.1.0.0/16, ::1' })).toMatchObject({ WEBHOOK_SECRET_KEY: key });
    expect(problemsOf({ WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/40' }).join()).toContain('WEBHOOK_ALLOWED_HOSTS must be comma-separated host names');
    const secretProblem = problemsOf({ WEBHOOK_SECRET_KEY: 'not-a-key-of-32-bytes-but-a-secret-anyway' }).join();
    expect(secretProblem).toContain('WEBHOOK_SECRET_KEY must be 32 bytes');
    expect(secretProblem).not.toContain('not-a-key');
    expect(problemsOf({ WEBHOOK_TIMEOUT_MS: '0', WEBHOOK_DELIVERIES: 'maybe' })).toHaveLength(2);
  });
});
