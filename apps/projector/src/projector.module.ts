import { type DynamicModule, Module } from '@nestjs/common';
import { StanceLedgerModule } from '@stance-ledger/application';
import { InfrastructureModule, type InfrastructureOptions } from '@stance-ledger/platform';

/** The projector on its own: no HTTP, just the log's subscription feeding the read models. */
@Module({})
export class ProjectorAppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return { module: ProjectorAppModule, imports: [InfrastructureModule.forRoot(options), StanceLedgerModule] };
  }
}
