import { Query } from '@nestjs/cqrs';
import type { VerificationReport } from '@stance-ledger/audit';

/** The report of the last verification (`cli verify`); not found before the first. */
export class GetIntegrityReportQuery extends Query<VerificationReport> {}
