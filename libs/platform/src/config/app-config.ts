import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};

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

  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 0 and 65535' })
  PORT: number = 3000;

  /** Where the embedded PostgreSQL keeps its data, relative to the working directory. */
  @IsString()
  @MinLength(1, { message: 'DATA_DIR must be a non-empty path' })
  DATA_DIR: string = '.data';

  @IsInt({ message: 'EMBEDDED_POSTGRES_PORT must be an integer between 1 and 65535' })
  @Min(1, { message: 'EMBEDDED_POSTGRES_PORT must be an integer between 1 and 65535' })
  @Max(65535, { message: 'EMBEDDED_POSTGRES_PORT must be an integer between 1 and 65535' })
  EMBEDDED_POSTGRES_PORT: number = 54329;

  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** `inline` runs the projector inside the API process; `off` leaves it to another process. */
  @IsIn(['inline', 'off'], { message: 'PROJECTOR must be inline or off' })
  PROJECTOR: 'inline' | 'off' = 'inline';

  /** Load the demo dataset on the first start of an empty embedded database. */
  @Transform(toBoolean)
  @IsBoolean({ message: 'SEED_DEMO_DATA must be true or false' })
  SEED_DEMO_DATA: boolean = true;

  /** How long a query with minPosition waits for the projection before answering 503. */
  @IsInt({ message: 'MIN_POSITION_WAIT_MS must be an integer between 0 and 60000' })
  @Min(0, { message: 'MIN_POSITION_WAIT_MS must be an integer between 0 and 60000' })
  @Max(60000, { message: 'MIN_POSITION_WAIT_MS must be an integer between 0 and 60000' })
  MIN_POSITION_WAIT_MS: number = 5000;

  /**
   * How many events of decided state commands keep in memory (about 125 bytes per stance
   * record): enough for every country stream of the history, or commands re-read evicted ones.
   */
  @IsInt({ message: 'DECIDED_STATE_CACHE_EVENTS must be an integer between 0 and 100000000' })
  @Min(0, { message: 'DECIDED_STATE_CACHE_EVENTS must be an integer between 0 and 100000000' })
  @Max(100_000_000, { message: 'DECIDED_STATE_CACHE_EVENTS must be an integer between 0 and 100000000' })
  DECIDED_STATE_CACHE_EVENTS: number = 2_000_000;
}

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Reads and checks the environment; throws naming every bad variable. */
export function validateConfig(env: Record<string, unknown>): AppConfig {
  const known = new Set([...Object.keys(new AppConfig()), 'DATABASE_URL', 'EVENTSTORE_CONNECTION_STRING']);
  // An empty variable means "use the default", as it does for most twelve-factor services.
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => known.has(key) && value !== ''),
  );
  const config = plainToInstance(AppConfig, relevant, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    throw new InvalidConfigError(
      errors.map((error) => {
        // Several rules of one variable often share a message: say it once.
        const messages = [...new Set(Object.values(error.constraints ?? {}))];
        return `${messages.join('; ')} (got ${JSON.stringify(env[error.property])})`;
      }),
    );
  }
  return config;
}
