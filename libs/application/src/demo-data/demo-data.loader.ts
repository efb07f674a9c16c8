import { readFileSync } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CorrectStance, RecordStance, StanceSourceInput } from '@stance-ledger/domain';
import { CorrectStanceCommand } from '../correct-stance/correct-stance.command';
import { DefineTopicCommand } from '../define-topic/define-topic.command';
import { RecordStanceCommand } from '../record-stance/record-stance.command';
import { RetractStanceCommand } from '../retract-stance/retract-stance.command';
import { commandContext } from '../shared/command-context';
import type { AppendReceipt } from '../shared/handle-command';

type SourceRef = { ref: string; quote?: string; speaker?: string };

/** A dataset file: see data/demo/paris-summit-2026.json. Every entry says when it was recorded. */
interface Dataset {
  dataset: string;
  sources: Record<string, Omit<StanceSourceInput, 'quote' | 'speaker'>>;
  topics: { key: string; id: string; title: string; description: string; recordedAt: string }[];
  stances: (Omit<RecordStance['data'], 'source'> & { key: string; source: SourceRef; recordedAt: string })[];
  corrections?: {
    key: string;
    stance: string;
    recordedAt: string;
    changes: Omit<CorrectStance['data']['changes'], 'source'> & { source?: SourceRef };
    reason: string;
  }[];
  retractions?: { key: string; stance: string; recordedAt: string; reason: string }[];
}

export interface DemoLoadReport {
  dataset: string;
  topics: number;
  stances: number;
  corrections: number;
  retractions: number;
  /** Commands already in the log from an earlier load: the dataset loads idempotently. */
  alreadyLoaded: number;
}

/**
 * Loads a dataset through the same commands the API sends, in the order it was recorded and
 * with those recording instants. Each entry's key becomes an idempotency key, so loading the
 * same file twice appends nothing the second time.
 */
@Injectable()
export class DemoDataLoader {
  private readonly logger = new Logger('DemoData');

  constructor(private readonly commandBus: CommandBus) {}

  async load(file: string): Promise<DemoLoadReport> {
    const dataset = JSON.parse(readFileSync(file, 'utf8')) as Dataset;
    const source = (key: string, { ref, ...quoted }: SourceRef): StanceSourceInput => {
      const reference = dataset.sources[ref];
      if (!reference) throw new Error(`entry ${key} cites unknown source '${ref}'`);
      return { ...reference, ...quoted };
    };
    const context = (key: string, recordedAt: string) =>
      ({
        ...commandContext({ idempotencyKey: `demo:${dataset.dataset}:${key}`, recordedBy: `demo-data:${dataset.dataset}`, correlationId: `demo:${dataset.dataset}` }),
        recordedAt: new Date(recordedAt),
      });
    const records = new Map<string, { country: string; eventId?: string }>();
    const steps: { recordedAt: string; run: () => Promise<AppendReceipt> }[] = [
      ...dataset.topics.map((topic) => ({
        recordedAt: topic.recordedAt,
        run: () => this.commandBus.execute(new DefineTopicCommand({ topicId: topic.id, title: topic.title, description: topic.description }, context(topic.key, topic.recordedAt))),
      })),
      ...dataset.stances.map(({ key, source: cited, recordedAt, ...stance }) => {
        const entry: { country: string; eventId?: string } = { country: stance.country };
        records.set(key, entry);
        return {
          recordedAt,
          run: async () => {
            const receipt = await this.commandBus.execute(new RecordStanceCommand({ ...stance, source: source(key, cited) }, context(key, recordedAt)));
            entry.eventId = receipt.eventId;
            return receipt;
          },
        };
      }),
      ...(dataset.corrections ?? []).map(({ key, stance, recordedAt, changes: { source: cited, ...changes }, reason }) => ({
        recordedAt,
        run: () => {
          const record = this.recordOf(records, key, stance);
          const withSource = cited ? { ...changes, source: source(key, cited) } : changes;
          return this.commandBus.execute(new CorrectStanceCommand({ country: record.country, recordId: record.eventId, changes: withSource, reason }, context(key, recordedAt)));
        },
      })),
      ...(dataset.retractions ?? []).map(({ key, stance, recordedAt, reason }) => ({
        recordedAt,
        run: () => {
          const record = this.recordOf(records, key, stance);
          return this.commandBus.execute(new RetractStanceCommand({ country: record.country, recordId: record.eventId, reason }, context(key, recordedAt)));
        },
      })),
    ];
    // The log receives the entries in the order they were recorded (stable for equal instants).
    steps.sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt));
    let alreadyLoaded = 0;
    for (const step of steps) if ((await step.run()).replayed) alreadyLoaded += 1;
    const report: DemoLoadReport = {
      dataset: dataset.dataset,
      topics: dataset.topics.length,
      stances: dataset.stances.length,
      corrections: dataset.corrections?.length ?? 0,
      retractions: dataset.retractions?.length ?? 0,
      alreadyLoaded,
    };
    this.logger.log(
      `dataset ${report.dataset}: ${report.topics} topics, ${report.stances} stances, ${report.corrections} corrections, ${report.retractions} retractions (${report.alreadyLoaded} already in the log)`,
    );
    return report;
  }

  private recordOf(records: Map<string, { country: string; eventId?: string }>, key: string, stanceKey: string) {
    const record = records.get(stanceKey);
    if (!record?.eventId) throw new Error(`entry ${key} refers to stance '${stanceKey}', which is not recorded before it`);
    return { country: record.country, eventId: record.eventId };
  }
}
