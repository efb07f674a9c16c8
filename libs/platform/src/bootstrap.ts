import { AppConfig, InvalidConfigError, validateConfig } from './config/app-config';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';

/** The configuration from the environment; a bad value stops the process (exit 78, EX_CONFIG) naming it. */
export function configOrExit(env: Record<string, unknown>): AppConfig {
  try {
    return validateConfig(env);
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

export interface ServiceDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server if this process owns it; nothing for DATABASE_URL. */
  stop(): Promise<void>;
}

/** DATABASE_URL when set, else the embedded PostgreSQL under DATA_DIR (started, joined or adopted). */
export async function serviceDatabase(config: AppConfig, log?: (message: string) => void): Promise<ServiceDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_POSTGRES_PORT, log });
  return { url: embedded.url, embedded: true, stop: () => embedded.stop() };
}
