import type { CalendarDate, StanceSource } from '@stance-ledger/domain';
import type { DataSource } from 'typeorm';
import { READ_MODELS_CHECKPOINT } from './projector';

export interface StanceInForce {
  topicId: string;
  stance: string;
  score: number;
  effectiveOn: string;
  headline: string;
  summary: string | null;
  conditions: string | null;
  commitment: string | null;
  source: StanceSource;
  eventId: string;
  recordedAt: string;
}

export interface TopicView {
  id: string;
  title: string;
  description: string;
  definedAt: string;
}

/** Every answer says which log position the read models stood at when it was read. */
export interface AtPosition<T> {
  position: bigint;
  value: T;
}

interface StanceInForceRow {
  checkpoint: string;
  topic_id: string | null;
  stance: string;
  score: number;
  effective_on: string;
  headline: string;
  summary: string | null;
  conditions: string | null;
  commitment: string | null;
  source: StanceSource;
  event_id: string;
  recorded_at: Date;
}

interface TopicRowWithCheckpoint {
  checkpoint: string;
  topic_id: string | null;
  title: string;
  description: string;
  defined_at: Date;
}

/**
 * Reads of the read models. Each is one statement, so the rows and the checkpoint come from
 * the same snapshot: the position reported is exactly the one the rows reflect.
 */
export class StanceQueries {
  constructor(private readonly dataSource: DataSource) {}

  async checkpoint(): Promise<bigint> {
    const rows: { position: string }[] = await this.dataSource.query(
      `SELECT position::text FROM projection_checkpoints WHERE projection = $1`,
      [READ_MODELS_CHECKPOINT],
    );
    return BigInt(rows[0]?.position ?? '0');
  }

  /** How many events the projector could not apply, and the latest of them. */
  async deadLetters(): Promise<{ count: number; latest?: { position: string; eventId: string; eventType: string; error: string; failedAt: string } }> {
    const rows: { count: number; position: string | null; event_id: string; event_type: string; error: string; failed_at: Date }[] =
      await this.dataSource.query(
        `SELECT (SELECT count(*)::int FROM projection_dead_letters) AS count, d.position::text, d.event_id::text, d.event_type, d.error, d.failed_at
           FROM (SELECT 1) one
           LEFT JOIN LATERAL (SELECT * FROM projection_dead_letters ORDER BY position DESC LIMIT 1) d ON true`,
      );
    const row = rows[0];
    if (!row || row.position === null) return { count: 0 };
    return {
      count: row.count,
      latest: { position: row.position, eventId: row.event_id, eventType: row.event_type, error: row.error, failedAt: row.failed_at.toISOString() },
    };
  }

  /** For each topic (or the one given), the record in force on `on`: latest effective date, ties to the last recorded. */
  async stancesInForce(country: string, on: CalendarDate, topicId?: string): Promise<AtPosition<StanceInForce[]>> {
    const params: unknown[] = [READ_MODELS_CHECKPOINT, country, on];
    if (topicId !== undefined) params.push(topicId);
    const rows: StanceInForceRow[] = await this.dataSource.query(
      `SELECT cp.position::text AS checkpoint, s.*
         FROM projection_checkpoints cp
         LEFT JOIN LATERAL (
           SELECT DISTINCT ON (r.topic_id)
                  r.topic_id, r.stance, r.score, r.effective_on::text AS effective_on, r.headline, r.summary,
                  r.conditions, r.commitment, r.source, r.event_id::text AS event_id, r.recorded_at
             FROM stance_records r
            WHERE r.country = $2 AND r.effective_on <= $3::date ${topicId !== undefined ? 'AND r.topic_id = $4' : ''}
            ORDER BY r.topic_id, r.effective_on DESC, r.recorded_at DESC, r.position DESC
         ) s ON true
        WHERE cp.projection = $1`,
      params,
    );
    return {
      position: BigInt(rows[0]?.checkpoint ?? '0'),
      value: rows
        .filter((row) => row.topic_id !== null)
        .map((row) => ({
          topicId: row.topic_id as string,
          stance: row.stance,
          score: row.score,
          effectiveOn: row.effective_on,
          headline: row.headline,
          summary: row.summary,
          conditions: row.conditions,
          commitment: row.commitment,
          source: row.source,
          eventId: row.event_id,
          recordedAt: row.recorded_at.toISOString(),
        })),
    };
  }

  async topics(topicId?: string): Promise<AtPosition<TopicView[]>> {
    const params: unknown[] = [READ_MODELS_CHECKPOINT];
    if (topicId !== undefined) params.push(topicId);
    const rows: TopicRowWithCheckpoint[] = await this.dataSource.query(
      `SELECT cp.position::text AS checkpoint, t.*
         FROM projection_checkpoints cp
         LEFT JOIN LATERAL (
           SELECT topic_id, title, description, defined_at FROM topics
            ${topicId !== undefined ? 'WHERE topic_id = $2' : ''}
            ORDER BY topic_id
         ) t ON true
        WHERE cp.projection = $1`,
      params,
    );
    return {
      position: BigInt(rows[0]?.checkpoint ?? '0'),
      value: rows
        .filter((row) => row.topic_id !== null)
        .map((row) => ({
          id: row.topic_id as string,
          title: row.title,
          description: row.description,
          definedAt: row.defined_at.toISOString(),
        })),
    };
  }
}
