import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  type CountryCode,
  type CountryRegistry,
  parseCorrectStance,
  parseCountryCode,
  parseDefineTopic,
  parseRecordStance,
  parseRetractStance,
  type RecordStanceInput,
  type StanceChangesInput,
  type StanceSourceInput,
} from '@stance-ledger/domain';
import { CorrectStanceCommand } from '../correct-stance/correct-stance.command';
import { DefineTopicCommand } from '../define-topic/define-topic.command';
import { RecordStanceCommand } from '../record-stance/record-stance.command';
import { RetractStanceCommand } from '../retract-stance/retract-stance.command';
import type { AppendReceipt } from '../shared/append-receipt';
import { type CommandContext, commandContext } from '../shared/command-context';
import { COUNTRY_REGISTRY } from '../shared/tokens';

type SourceRef = { ref: string; quote?: string; speaker?: string };

/** A dataset file: see data/demo/paris-summit-2026.json. Every entry says when it was recorded. */
interface Dataset {
  dataset: string;
  sources: Record<string, Omit<StanceSourceInput, 'quote' | 'speaker'>>;
  topics: { key: string; id: string; title: string; description: string; recordedAt: string }[];
  stances: (Omit<RecordStanceInput, 'source'> & { key: string; country: string; source: SourceRef; recordedAt: string })[];
  corrections?: {
    key: string;
    stance: string;
    recordedAt: string;
    changes: Omit<StanceChangesInput, 'source'> & { source?: SourceRef };
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

type Step = { recordedAt: string; run: () => Promise<AppendReceipt> };
type LoadedRecord = { country?: CountryCode; eventId?: string };

/**
 * Loads a dataset through the same commands the API sends, in the order it was recorded and
 * with those recording instants. Each entry's key becomes an idempotency key, so loading the
 * same file twice appends nothing the second time. Entries are parsed as they are loaded, as a
 * request is when it arrives.
 */
@Injectable()
export class DemoDataLoader {
  private readonly logger = new Logger('DemoData');

  constructor(
    private readonly commandBus: CommandBus,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  async load(file: string): Promise<DemoLoadReport> {
    const dataset = JSON.parse(readFileSync(file, 'utf8')) as Dataset;
    const steps = this.steps(dataset);
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

  private steps(dataset: Dataset): Step[] {
    const source = (key: string, { ref, ...quoted }: SourceRef): StanceSourceInput => {
      const reference = dataset.sources[ref];
      if (!reference) throw new Error(`entry ${key} cites unknown source '${ref}'`);
      return { ...reference, ...quoted };
    };
    const context = (key: string, recordedAt: string): CommandContext => ({
      ...commandContext({ idempotencyKey: `demo:${dataset.dataset}:${key}`, recordedBy: `demo-data:${dataset.dataset}`, correlationId: `demo:${dataset.dataset}` }),
      recordedAt: new Date(recordedAt),
    });
    const records = new Map<string, LoadedRecord>();
    const topics = dataset.topics.map(({ key, id, title, description, recordedAt }) => ({
      recordedAt,
      run: () => this.commandBus.execute(new DefineTopicCommand(parseDefineTopic({ topicId: id, title, description }), context(key, recordedAt))),
    }));
    const stances = dataset.stances.map(({ key, country, source: cited, recordedAt, ...stance }) => {
      const entry: LoadedRecord = {};
      records.set(key, entry);
      const run = async () => {
        entry.country = parseCountryCode(country, this.countries);
        const data = parseRecordStance(entry.country, { ...stance, source: source(key, cited) });
        const receipt = await this.commandBus.execute(new RecordStanceCommand(data, context(key, recordedAt)));
        entry.eventId = receipt.eventId;
        return receipt;
      };
      return { recordedAt, run };
    });
    const corrections = (dataset.corrections ?? []).map(({ key, stance, recordedAt, changes: { source: cited, ...changes }, reason }) => ({
      recordedAt,
      run: () => {
        const { country, eventId: recordId } = recordOf(records, key, stance);
        const withSource = cited ? { ...changes, source: source(key, cited) } : changes;
        return this.commandBus.execute(new CorrectStanceCommand(parseCorrectStance(country, { recordId, changes: withSource, reason }), context(key, recordedAt)));
      },
    }));
    const retractions = (dataset.retractions ?? []).map(({ key, stance, recordedAt, reason }) => ({
      recordedAt,
      run: () => {
        const { country, eventId: recordId } = recordOf(records, key, stance);
        return this.commandBus.execute(new RetractStanceCommand(parseRetractStance(country, { recordId, reason }), context(key, recordedAt)));
      },
    }));
    return [...topics, ...stances, ...corrections, ...retractions];
  }
}

function recordOf(records: Map<string, LoadedRecord>, key: string, stanceKey: string): { country: CountryCode; eventId: string } {
  const record = records.get(stanceKey);
  if (!record?.country || !record.eventId) throw new Error(`entry ${key} refers to stance '${stanceKey}', which is not recorded before it`);
  return { country: record.country, eventId: record.eventId };
}
