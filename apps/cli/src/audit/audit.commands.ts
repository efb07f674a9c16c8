import { resolve } from 'node:path';
import { Inject } from '@nestjs/common';
import { EVENT_STORE } from '@stance-ledger/application';
import { buildSnapshot, createProgress, exportLog, importLog, replay, SNAPSHOT_NAME, SNAPSHOT_NAME_RULE, verify } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { DATABASE_URL } from '@stance-ledger/platform';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';

const out = (line: string) => process.stdout.write(`${line}\n`);

@Command({ name: 'verify', description: "Recompute every stream's hash chain and compare the read models with a rebuild from the log; exits 1 on any mismatch" })
export class VerifyCommand extends CommandRunner {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {
    super();
  }

  async run(): Promise<void> {
    const progress = createProgress('verify', process.stderr);
    // The chains and the rebuild run side by side: one bar, at the events both have been through.
    const done = { chains: 0, rebuild: 0 };
    const total = { chains: 0, rebuild: 0 };
    const report = await verify({
      store: this.store,
      dataSource: this.dataSource,
      databaseUrl: this.databaseUrl,
      onProgress: (step) => {
        done[step.phase] = step.done;
        total[step.phase] = step.total ?? step.done;
        progress.update(Math.min(done.chains, done.rebuild), Math.max(total.chains, total.rebuild));
      },
    });
    progress.stop();
    out(`events checked: ${report.log.eventsChecked} in ${report.log.streams} streams (log head ${report.log.head})`);
    out(`hash chains: ${report.log.chainsIntact ? 'intact' : `${report.log.breaks.length} broken`}`);
    for (const broken of report.log.breaks) {
      out(`  ${broken.problem}: stream ${broken.stream} revision ${broken.revision} event ${broken.eventId} (position ${broken.position})`);
    }
    out(`read models at position ${report.readModels.position}: ${Object.entries(report.readModels.rows).map(([table, rows]) => `${table} ${rows}`).join(', ')}`);
    out(`read models: ${report.readModels.intact ? 'equal to a rebuild from the log' : `${report.readModels.mismatches.length} mismatches`}`);
    for (const mismatch of report.readModels.mismatches) out(`  ${mismatch.problem}: ${mismatch.table} ${JSON.stringify(mismatch.key)}`);
    out(report.ok ? 'OK' : 'MISMATCH');
    if (!report.ok) process.exitCode = 1;
  }
}

@Command({ name: 'export', description: 'Write the whole log as NDJSON (one event per line, with metadata, hash and position)' })
export class ExportCommand extends CommandRunner {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    super();
  }

  async run(_parameters: string[], options: { out?: string }): Promise<void> {
    if (!options.out) throw new Error('export needs --out FILE');
    const progress = createProgress('export', process.stderr);
    const result = await exportLog(this.store, options.out, (events) => progress.update(events));
    progress.stop();
    out(`exported ${result.events} events (log head ${result.head}) to ${options.out}`);
  }

  @Option({ flags: '-o, --out <file>', description: 'the NDJSON file to write' })
  parseOut(value: string): string {
    return resolve(value);
  }
}

@Command({ name: 'import', description: 'Load an export into an empty store, refusing a file whose hash chains do not verify' })
export class ImportCommand extends CommandRunner {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    super();
  }

  async run(parameters: string[], options: { in?: string }): Promise<void> {
    const file = options.in ?? (parameters[0] ? resolve(parameters[0]) : undefined);
    if (!file) throw new Error('import needs --in FILE');
    const progress = createProgress('import', process.stderr);
    const result = await importLog(this.store, file, (events, total) => progress.update(events, total));
    progress.stop();
    out(`imported ${result.events} events in ${result.streams} streams from ${file}`);
  }

  @Option({ flags: '-i, --in <file>', description: 'the NDJSON file to read' })
  parseIn(value: string): string {
    return resolve(value);
  }
}

@Command({
  name: 'replay',
  description:
    'Rebuild every read model from the log beside the live ones and switch over atomically; with --until-position or --until-recorded, build a named snapshot for ?snapshot=NAME instead',
})
export class ReplayCommand extends CommandRunner {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {
    super();
  }

  async run(_parameters: string[], options: { untilPosition?: bigint; untilRecorded?: Date; snapshot?: string }): Promise<void> {
    const progress = createProgress('replay', process.stderr);
    if (options.untilPosition !== undefined || options.untilRecorded !== undefined) {
      const name = options.snapshot ?? (options.untilPosition !== undefined ? `position_${options.untilPosition}` : `recorded_${options.untilRecorded!.toISOString().replace(/\D/g, '').slice(0, 14)}`);
      const result = await buildSnapshot({
        store: this.store,
        dataSource: this.dataSource,
        databaseUrl: this.databaseUrl,
        name,
        until: { position: options.untilPosition, recordedAt: options.untilRecorded },
        onProgress: (_position, events) => progress.update(events),
      });
      progress.stop();
      out(`snapshot '${name}' built at position ${result.position} from ${result.events} events: query it with ?snapshot=${name}`);
      return;
    }
    if (options.snapshot) throw new Error('--snapshot needs --until-position or --until-recorded');
    const result = await replay({
      store: this.store,
      dataSource: this.dataSource,
      databaseUrl: this.databaseUrl,
      onProgress: (position, events, head) => progress.update(Number(position), Number(head)),
    });
    progress.stop();
    out(`read models rebuilt from ${result.events} events and switched over at position ${result.position}`);
  }

  @Option({ flags: '--until-position <position>', description: 'build the read models as they stood at this log position' })
  parseUntilPosition(value: string): bigint {
    if (!/^\d{1,39}$/.test(value)) throw new Error('--until-position must be a log position: a non-negative integer');
    return BigInt(value);
  }

  @Option({ flags: '--until-recorded <instant>', description: 'build them from the events recorded at or before this ISO 8601 instant' })
  parseUntilRecorded(value: string): Date {
    const instant = new Date(value);
    if (!/T.*(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(instant.getTime())) throw new Error('--until-recorded must be an ISO 8601 instant with a zone');
    return instant;
  }

  @Option({ flags: '--snapshot <name>', description: 'name of the snapshot (lower-case letters, digits, _)' })
  parseSnapshot(value: string): string {
    if (!SNAPSHOT_NAME.test(value)) throw new Error(`--snapshot must be ${SNAPSHOT_NAME_RULE}`);
    return value;
  }
}
