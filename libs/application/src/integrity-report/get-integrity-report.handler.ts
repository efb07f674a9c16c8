import { NotFoundException } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { latestVerification, type VerificationReport } from '@stance-ledger/audit';
import { DataSource } from 'typeorm';
import { GetIntegrityReportQuery } from './get-integrity-report.query';

@QueryHandler(GetIntegrityReportQuery)
export class GetIntegrityReportHandler implements IQueryHandler<GetIntegrityReportQuery> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(): Promise<VerificationReport> {
    const report = await latestVerification(this.dataSource);
    if (!report) throw new NotFoundException({ statusCode: 404, error: 'Not Found', code: 'not_verified', message: 'no verification has run yet: npm run cli -- verify' });
    return report;
  }
}
