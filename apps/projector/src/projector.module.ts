import { type DynamicModule, Module } from '@nestjs/common';
import { StanceLedgerModule } from '@stance-ledger/application';
import { InfrastructureModule, type InfrastructureOptions } from '@stance-ledger/platform';

/** The projector on its own: the log's subscription feeding the read models (main.ts may add GET /metrics, nothing else). */
@Module({})
export class ProjectorAppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return { module: ProjectorAppModule, imports: [InfrastructureModule.forRoot(options), StanceLedgerModule] };
  }
}
