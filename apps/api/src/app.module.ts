import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AnalystQueriesModule, StanceLedgerModule } from '@stance-ledger/application';
import { InfrastructureModule, type InfrastructureOptions } from '@stance-ledger/platform';
import { AccessKeysController } from './admin/access-keys.controller';
import { AnalysisController } from './analysis/analysis.controller';
import { AuditController } from './audit/audit.controller';
import { AccessControl } from './auth/access-control';
import { AdminKeyBootstrap } from './auth/admin-key-bootstrap';
import { Authenticator } from './auth/authenticator';
import { MeController } from './auth/me.controller';
import { HealthController } from './health/health.controller';
import { CountryCodePipe } from './stances/country-code.pipe';
import { StancesController } from './stances/stances.controller';
import { TopicsController } from './topics/topics.controller';

@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [InfrastructureModule.forRoot(options), StanceLedgerModule, AnalystQueriesModule, TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MeController, TopicsController, StancesController, AnalysisController, AuditController, AccessKeysController],
      providers: [CountryCodePipe, Authenticator, AccessControl, AdminKeyBootstrap],
    };
  }
}
