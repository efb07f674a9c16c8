import { plainToInstance } from 'class-transformer';
import { parseHostPolicy } from '@stance-ledger/application';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, registerDecorator, validateSync } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The settings that are booleans: written `true`/`false` (or `1`/`0`); anything else is refused. */
const BOOLEAN_SETTINGS = ['SEED_DEMO_DATA', 'PUBLIC_READS'] as const;

function parseBoolean(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return value;
}

/** WEBHOOK_ALLOWED_HOSTS parses: each entry a host name, an IP address or a CIDR range. */
function IsHostList(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isHostList',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'WEBHOOK_ALLOWED_HOSTS must be comma-separated host names, IP addresses and CIDR ranges, e.g. hooks.internal,10.1.0.0/16,::1' },
      validator: {
        validate: (value: unknown) => {
          try {
            parseHostPolicy(String(value));
            return typeof value === 'string';
          } catch {
            return false;
          }
        },
      },
    });
}

/** An integer setting within [min, max]: one message naming the setting and both bounds for each rule. */
function IntegerBetween(min: number, max: number): PropertyDecorator {
  return (target, propertyName) => {
    const message = `${String(propertyName)} must be an integer between ${min} and ${max}`;
    for (const rule of [IsInt({ message }), Min(min, { message }), Max(max, { message })]) rule(target, propertyName as string);
  };
}

/** Every setting the service reads from its environment, typed and checked at boot. */
export class AppConfig {
  /** External PostgreSQL for the log and the read models; unset means the embedded one. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /** EventStoreDB (or KurrentDB) holds the log instead of PostgreSQL; the read models stay in PostgreSQL. */
  @IsOptional()
  @Matches(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\/\S+$/, {
    message: 'EVENTSTORE_CONNECTION_STRING must be an esdb:// (or esdb+discover://, kurrentdb://) connection string',
  })
  EVENTSTORE_CONNECTION_STRING?: string;

  @IntegerBetween(0, 65535)
  PORT: number = 3000;

  /** Where the embedded PostgreSQL keeps its data, relative to the working directory. */
  @IsString()
  @MinLength(1, { message: 'DATA_DIR must be a non-empty path' })
  DATA_DIR: string = '.data';

  @IntegerBetween(1, 65535)
  EMBEDDED_POSTGRES_PORT: number = 54329;

  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** `inline` runs the projector inside the API process; `off` leaves it to another process. */
  @IsIn(['inline', 'off'], { message: 'PROJECTOR must be inline or off' })
  PROJECTOR: 'inline' | 'off' = 'inline';

  /** The interface the API listens on: loopback unless a deployment opens it (infra/ sets 0.0.0.0). */
  @IsString()
  @Matches(/^[0-9A-Za-z.:_-]{1,255}$/, { message: 'HOST must be a host name or an IP address, e.g. 127.0.0.1 or 0.0.0.0' })
  HOST: string = '127.0.0.1';

  /** Load the demo dataset on the first start of an empty embedded database. */
  @IsBoolean({ message: 'SEED_DEMO_DATA must be true or false' })
  SEED_DEMO_DATA: boolean = true;

  /** Opens the analyst reads to requests without a credential (a public tracker); never writes, audit or admin. */
  @IsBoolean({ message: 'PUBLIC_READS must be true or false' })
  PUBLIC_READS: boolean = false;

  /** OIDC: the issuer (`iss`) a bearer JWT must name; with OIDC_AUDIENCE and OIDC_JWKS_URI, enables JWTs. */
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'OIDC_ISSUER must be the issuer URL of the identity provider' })
  OIDC_ISSUER?: string;

  /** OIDC: the audience (`aud`) a bearer JWT must name. */
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'OIDC_AUDIENCE must name the audience tokens are issued for' })
  OIDC_AUDIENCE?: string;

  /** OIDC: where the identity provider publishes its signing keys (JWKS). */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OIDC_JWKS_URI must be an http:// or https:// URL' })
  OIDC_JWKS_URI?: string;

  /** OIDC: the claim holding the token's roles (an array of role names, or one space-separated string). */
  @IsString()
  @Matches(/^[A-Za-z0-9_.:/-]{1,200}$/, { message: 'OIDC_ROLES_CLAIM must be a claim name' })
  OIDC_ROLES_CLAIM: string = 'roles';

  /** The first admin key of an empty store, for automated deployments (else one is generated into DATA_DIR/admin.key). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{32,512}$/, { message: 'BOOTSTRAP_ADMIN_KEY must be at least 32 characters of A-Z, a-z, 0-9, _ and -' })
  BOOTSTRAP_ADMIN_KEY?: string;

  /** Origins allowed by CORS, comma-separated (`https://a.example,https://b.example`); unset means CORS off. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s,]+(,\s*https?:\/\/[^\s,]+)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins such as https://tracker.example.org',
  })
  CORS_ORIGINS?: string;

  /** Requests per minute one credential (or, without one, one client address) may make. */
  @IntegerBetween(1, 100_000_000)
  RATE_LIMIT_PER_MINUTE: number = 6000;

  /** How long a client may take to send a whole request (headers and body) before it is dropped. */
  @IntegerBetween(1000, 600_000)
  REQUEST_TIMEOUT_MS: number = 30_000;

  /** How long a query with minPosition waits for the projection before answering 503. */
  @IntegerBetween(0, 60000)
  MIN_POSITION_WAIT_MS: number = 5000;

  /**
   * How long a connection to PostgreSQL may take to open, or a request wait for a free one,
   * before the request is answered 503 (with Retry-After): the bound on an answer while the
   * database is down. A refused connection fails at once.
   */
  @IntegerBetween(100, 60000)
  DATABASE_CONNECT_TIMEOUT_MS: number = 5000;

  /** OpenTelemetry: where traces go (OTLP over HTTP, `<endpoint>/v1/traces`); unset means tracing off. Read by the SDK itself, checked here. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://otel-collector:4318' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /**
   * How many events of decided state commands keep in memory (about 125 bytes per stance
   * record): enough for every country stream of the history, or commands re-read evicted ones.
   */
  @IntegerBetween(0, 100_000_000)
  DECIDED_STATE_CACHE_EVENTS: number = 2_000_000;

  /**
   * The projector run as its own process (`npm run projector`) serves GET /metrics on this port, on
   * HOST; unset, it serves nothing. The API serves its own at GET /metrics on PORT.
   */
  @IsOptional()
  @IntegerBetween(1, 65535)
  PROJECTOR_METRICS_PORT?: number;

  /**
   * GET /metrics then needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open to anyone
   * who reaches the port (a scraper on a private network).
   */
  @IsOptional()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** The built web app (`npm run build` writes it) served under /app/, relative to the working directory. */
  @IsString()
  @MinLength(1, { message: 'WEB_DIR must be a non-empty path' })
  WEB_DIR: string = 'dist/web';

  /** GET /feed: a heartbeat comment at least this often (15 s at most, so proxies keep the stream open). */
  @IntegerBetween(100, 15_000)
  FEED_HEARTBEAT_MS: number = 15_000;

  /** GET /feed: bytes a follower may leave unread before it is disconnected (it resumes from its last id). */
  @IntegerBetween(1024, 1024 ** 3)
  FEED_CLIENT_BUFFER_BYTES: number = 1024 * 1024;

  /** Webhooks: whether this process delivers (`on`: the one holding the deliverer's lock does) or never (`off`). */
  @IsIn(['on', 'off'], { message: 'WEBHOOK_DELIVERIES must be on or off' })
  WEBHOOK_DELIVERIES: 'on' | 'off' = 'on';

  /** Webhooks: hosts deliveries may reach besides public addresses (host names, IPs, CIDR ranges, comma-separated); unset: public addresses only. */
  @IsOptional()
  @IsHostList()
  WEBHOOK_ALLOWED_HOSTS?: string;

  /** Webhooks: the AES-256-GCM key sealing the signing secrets, 32 bytes as 64 hex digits or base64; unset: DATA_DIR/webhook-secret.key on the embedded default. */
  @IsOptional()
  @Matches(/^\s*([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)\s*$/, { message: 'WEBHOOK_SECRET_KEY must be 32 bytes written as 64 hex digits or 44 characters of base64' })
  WEBHOOK_SECRET_KEY?: string;

  /** Webhooks: one attempt's bound, from connecting to the receiver's answer. */
  @IntegerBetween(100, 120_000)
  WEBHOOK_TIMEOUT_MS: number = 10_000;

  /** Webhooks: how long a batch is retried before the webhook is marked failing. */
  @IntegerBetween(0, 30 * 24 * 3600 * 1000)
  WEBHOOK_RETRY_HORIZON_MS: number = 24 * 3600 * 1000;

  /** Webhooks: the first retry waits up to this (full jitter), each next one up to twice as long (at most 10 minutes). */
  @IntegerBetween(1, 600_000)
  WEBHOOK_RETRY_BASE_MS: number = 1000;

  /** Webhooks: attempts in flight at once across webhooks (each webhook has one at a time). */
  @IntegerBetween(1, 1000)
  WEBHOOK_MAX_CONCURRENT: number = 16;
}

/** Settings without a default, which `new AppConfig()` does not list. */
const OPTIONAL_SETTINGS = [
  'DATABASE_URL',
  'EVENTSTORE_CONNECTION_STRING',
  'OIDC_ISSUER',
  'OIDC_AUDIENCE',
  'OIDC_JWKS_URI',
  'METRICS_TOKEN',
  'PROJECTOR_METRICS_PORT',
  'BOOTSTRAP_ADMIN_KEY',
  'CORS_ORIGINS',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'WEBHOOK_ALLOWED_HOSTS',
  'WEBHOOK_SECRET_KEY',
];

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Reads and checks the environment; throws naming every bad variable. */
export function validateConfig(env: Record<string, unknown>): AppConfig {
  const known = new Set([...Object.keys(new AppConfig()), ...OPTIONAL_SETTINGS]);
  // An empty variable means "use the default", as it does for most twelve-factor services.
  const relevant: Record<string, unknown> = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => known.has(key) && value !== ''),
  );
  // Booleans are read here, not by implicit conversion, which makes every non-empty string true.
  for (const key of BOOLEAN_SETTINGS) if (key in relevant) relevant[key] = parseBoolean(relevant[key]);
  const config = plainToInstance(AppConfig, relevant, { enableImplicitConversion: true });
  for (const key of BOOLEAN_SETTINGS) if (key in relevant) (config as unknown as Record<string, unknown>)[key] = relevant[key];
  const errors = validateSync(config, { whitelist: false });
  const oidc = [config.OIDC_ISSUER, config.OIDC_AUDIENCE, config.OIDC_JWKS_URI].filter((value) => value !== undefined);
  const oidcProblem =
    oidc.length > 0 && oidc.length < 3
      ? ['OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URI must be set together (or none of them)']
      : [];
  if (errors.length > 0 || oidcProblem.length > 0) {
    throw new InvalidConfigError(
      errors.map((error) => {
        // Several rules of one variable often share a message: say it once.
        const messages = [...new Set(Object.values(error.constraints ?? {}))];
        // A secret is named, never echoed.
        const got = error.property === 'BOOTSTRAP_ADMIN_KEY' || error.property === 'WEBHOOK_SECRET_KEY' ? 'a value that breaks the rule' : JSON.stringify(env[error.property]);
        return `${messages.join('; ')} (got ${got})`;
      }).concat(oidcProblem),
    );
  }
  return config;
}
