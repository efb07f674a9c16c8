import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StanceLedgerHttpModule } from '@stance-ledger/application';
import { InfrastructureModule, type InfrastructureOptions } from '@stance-ledger/platform';
import { AccessControl } from './auth/access-control';
import { AdminKeyBootstrap } from './auth/admin-key-bootstrap';
import { Authenticator } from './auth/authenticator';
import { MeController } from './auth/me.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';

@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [InfrastructureModule.forRoot(options), StanceLedgerHttpModule, TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController, MeController],
      providers: [Authenticator, AccessControl, AdminKeyBootstrap],
    };
  }
}
