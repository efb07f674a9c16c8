import { readFileSync } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { RecordStance, StanceSourceInput } from '@stance-ledger/domain';
import { DefineTopicCommand } from '../define-topic/define-topic.command';
import { RecordStanceCommand } from '../record-stance/record-stance.command';
import { commandContext } from '../shared/command-context';

interface DemoDataset {
  dataset: string;
  sources: Record<string, Omit<StanceSourceInput, 'quote' | 'speaker'>>;
  topics: { key: string; id: string; title: string; description: string }[];
  stances: (Omit<RecordStance['data'], 'source'> & {
    key: string;
    source: { ref: string; quote?: string; speaker?: string };
  })[];
}

export interface DemoLoadReport {
  dataset: string;
  topics: number;
  stances: number;
  /** Commands already in the log from an earlier load: the dataset loads idempotently. */
  alreadyLoaded: number;
}

/**
 * Loads a dataset file through the same commands the API sends. Each entry's key becomes an
 * idempotency key, so loading the same file twice appends nothing the second time.
 */
@Injectable()
export class DemoDataLoader {
  private readonly logger = new Logger('DemoData');

  constructor(private readonly commandBus: CommandBus) {}

  async load(file: string): Promise<DemoLoadReport> {
    const dataset = JSON.parse(readFileSync(file, 'utf8')) as DemoDataset;
    const context = (key: string) =>
      commandContext({
        idempotencyKey: `demo:${dataset.dataset}:${key}`,
        recordedBy: `demo-data:${dataset.dataset}`,
        correlationId: `demo:${dataset.dataset}`,
      });
    let alreadyLoaded = 0;
    for (const topic of dataset.topics) {
      const receipt = await this.commandBus.execute(
        new DefineTopicCommand({ topicId: topic.id, title: topic.title, description: topic.description }, context(topic.key)),
      );
      if (receipt.replayed) alreadyLoaded += 1;
    }
    for (const { key, source, ...stance } of dataset.stances) {
      const { ref, ...quoted } = source;
      const reference = dataset.sources[ref];
      if (!reference) throw new Error(`stance ${key} cites unknown source '${ref}'`);
      const receipt = await this.commandBus.execute(
        new RecordStanceCommand({ ...stance, source: { ...reference, ...quoted } }, context(key)),
      );
      if (receipt.replayed) alreadyLoaded += 1;
    }
    const report = {
      dataset: dataset.dataset,
      topics: dataset.topics.length,
      stances: dataset.stances.length,
      alreadyLoaded,
    };
    this.logger.log(
      `dataset ${report.dataset}: ${report.topics} topics, ${report.stances} stances (${report.alreadyLoaded} already in the log)`,
    );
    return report;
  }
}
