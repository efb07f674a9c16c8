import { resolve } from 'node:path';
import { DemoDataLoader } from '@stance-ledger/application';
import { Command, CommandRunner, Option } from 'nest-commander';

export const DEFAULT_DATASET = resolve(__dirname, '..', '..', '..', '..', '..', 'data', 'demo', 'paris-summit-2026.json');

@Command({
  name: 'seed',
  description: 'Load a dataset (default: the Paris summit demo) through the same commands the API uses; idempotent',
})
export class SeedCommand extends CommandRunner {
  constructor(private readonly loader: DemoDataLoader) {
    super();
  }

  async run(_parameters: string[], options: { file?: string }): Promise<void> {
    const report = await this.loader.load(options.file ?? DEFAULT_DATASET);
    process.stdout.write(
      `Loaded ${report.dataset}: ${report.topics} topics, ${report.stances} stances, ${report.corrections} corrections and ${report.retractions} retractions; ${report.alreadyLoaded} were already in the log and were not appended again.\n`,
    );
  }

  @Option({ flags: '-f, --file <path>', description: 'dataset file (JSON, see data/demo/)' })
  parseFile(value: string): string {
    return resolve(value);
  }
}
