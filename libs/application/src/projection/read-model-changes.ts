import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { READ_MODELS_CHANGED_CHANNEL, StanceQueries } from '@stance-ledger/read-models';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

export type Freshness = Awaited<ReturnType<StanceQueries['freshness']>>;

const RECONNECT_MS = 1000;

/**
 * What `StanceQueries.freshness` would answer now, known without asking: the read models'
 * checkpoint, latest recording time and table identity, read again whenever a change is
 * announced on READ_MODELS_CHANGED_CHANNEL (every checkpoint move and every replay swap
 * notifies it on commit). While this process is not listening, or a change is being read, it
 * knows nothing, and callers ask the database themselves.
 */
@Injectable()
export class ReadModelChanges implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(ReadModelChanges.name);
  /** The connection listening, once LISTEN has succeeded. */
  private client?: Client;
  /** The connection listening or being opened: only its loss counts. */
  private attempt?: Client;
  private known?: Freshness;
  /** Counts announcements: a read that saw one arrive meanwhile may predate it, and is read again. */
  private announcements = 0;
  private reading = false;
  private stopped = false;
  /** The next attempt to listen, after a lost connection. */
  private reconnect?: NodeJS.Timeout;
  /** The next attempt to read the state, after a failed read. */
  private reread?: NodeJS.Timeout;
  private readonly listeners = new Set<(freshness: Freshness) => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: StanceQueries,
  ) {}

  onModuleInit(): void {
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    clearTimeout(this.reread);
    const client = this.client;
    this.forget();
    await client?.end().catch(() => undefined);
  }

  /** The freshness now, if known without a query. */
  current(): Freshness | undefined {
    return this.known;
  }

  /** Calls `listener` with each freshness read after an announcement (the change feed follows the checkpoint so). */
  onChange(listener: (freshness: Freshness) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    let client: Client;
    try {
      const { extra } = this.dataSource.options as { extra?: { connectionTimeoutMillis?: number } };
      client = new Client({
        connectionString: this.connectionString(),
        application_name: 'stance-ledger-read-model-changes',
        // As the read models' pool: a server that does not answer is tried again, not waited on.
        connectionTimeoutMillis: extra?.connectionTimeoutMillis ?? 5000,
        keepAlive: true,
      });
    } catch (error) {
      this.log.error(`cannot listen for read-model changes; every answer will be checked with a query: ${String(error)}`);
      return;
    }
    this.attempt = client;
    client.on('notification', () => this.changed());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODELS_CHANGED_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Anything before LISTEN went unheard: read the state as it is from now on.
    this.changed();
  }

  private lost(client: Client, error?: unknown): void {
    if (this.stopped || client !== this.attempt) return;
    this.attempt = undefined;
    if (this.client === client) this.log.warn(`stopped hearing read-model changes, listening again: ${String(error ?? 'connection ended')}`);
    this.client = undefined;
    this.forget();
    void client.end().catch(() => undefined);
    clearTimeout(this.reconnect);
    this.reconnect = setTimeout(() => void this.listen(), RECONNECT_MS);
  }

  private forget(): void {
    this.known = undefined;
    this.announcements += 1;
  }

  private changed(): void {
    this.forget();
    if (!this.reading) void this.readUntilSettled();
  }

  private async readUntilSettled(): Promise<void> {
    this.reading = true;
    try {
      while (this.client !== undefined && !this.stopped) {
        const seen = this.announcements;
        const freshness = await this.queries.freshness();
        if (seen !== this.announcements) continue;
        if (this.client !== undefined) this.known = freshness;
        for (const listener of this.listeners) listener(freshness);
        return;
      }
    } catch (error) {
      // Not knowing is safe: callers ask themselves until the next announcement, or the retry.
      this.log.warn(`could not read the read models' freshness: ${String(error)}`);
      clearTimeout(this.reread);
      this.reread = setTimeout(() => this.client && this.changed(), RECONNECT_MS);
    } finally {
      this.reading = false;
    }
  }

  private connectionString(): string {
    const { url } = this.dataSource.options as { url?: string };
    if (!url) throw new Error('the read models DataSource has no url to listen with');
    return url;
  }
}
