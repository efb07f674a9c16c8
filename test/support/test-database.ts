import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../libs/platform/src/nest/infrastructure.module';
import { READ_MODEL_ENTITIES } from '../../libs/read-models/src';

function serverUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run the tests through jest (npm test)');
  return url;
}

/** A fresh, empty database on the run's PostgreSQL server; returns its connection string. */
export async function createTestDatabase(label = 'test'): Promise<string> {
  const name = `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database with every migration applied, and a TypeORM DataSource on it. */
export async function createMigratedDatabase(label = 'test'): Promise<{ url: string; dataSource: DataSource }> {
  const url = await createTestDatabase(label);
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: READ_MODEL_ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    logging: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return { url, dataSource };
}
