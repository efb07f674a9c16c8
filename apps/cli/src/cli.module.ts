import { type DynamicModule, Module } from '@nestjs/common';
import { StanceLedgerModule } from '@stance-ledger/application';
import { InfrastructureModule, type InfrastructureOptions } from '@stance-ledger/platform';
import { ExportCommand, ImportCommand, ReplayCommand, VerifyCommand } from './audit/audit.commands';
import { CreateKeyCommand, KeysCommand, ListKeysCommand, RevokeKeyCommand } from './keys/keys.commands';
import { SeedCommand } from './seed/seed.command';

@Module({})
export class CliModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: CliModule,
      imports: [InfrastructureModule.forRoot(options), StanceLedgerModule],
      providers: [SeedCommand, VerifyCommand, ExportCommand, ImportCommand, ReplayCommand, KeysCommand, CreateKeyCommand, ListKeysCommand, RevokeKeyCommand],
    };
  }
}
