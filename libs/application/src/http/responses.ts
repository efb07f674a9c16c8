import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { StanceBody } from '../answers/answer';
import { STANCES } from '@stance-ledger/domain';

/** Response shapes, for the OpenAPI document. */
export class SourceResponse {
  @ApiProperty() publisher: string;
  @ApiProperty({ nullable: true }) title: string | null;
  @ApiProperty({ nullable: true }) url: string | null;
  @ApiProperty({ nullable: true, example: '2026-01-06' }) publishedOn: string | null;
  @ApiProperty({ nullable: true }) quote: string | null;
  @ApiProperty({ nullable: true }) speaker: string | null;
}

export class AppendReceiptResponse {
  @ApiProperty({ description: 'The event id; for a StanceRecorded, the id of the stance record' }) eventId: string;
  @ApiProperty({ example: 'country-ES' }) stream: string;
  @ApiProperty({ description: 'Stream revision, decimal string', example: '0' }) revision: string;
  @ApiProperty({ description: 'Global log position, decimal string', example: '21' }) position: string;
}

/** The OpenAPI description of StanceBody (its source as SourceResponse). */
export class StanceResponse implements Omit<StanceBody, 'source'> {
  @ApiProperty({ example: 'ukraine-multinational-force' }) topicId: string;
  @ApiProperty({ enum: STANCES }) stance: string;
  @ApiProperty({ minimum: -2, maximum: 2 }) score: number;
  @ApiProperty({ example: '2026-01-06' }) effectiveOn: string;
  @ApiProperty() headline: string;
  @ApiProperty({ nullable: true }) summary: string | null;
  @ApiProperty({ nullable: true }) conditions: string | null;
  @ApiProperty({ nullable: true }) commitment: string | null;
  @ApiProperty({ type: SourceResponse }) source: SourceResponse;
  @ApiProperty({ description: 'Id of the stance record (its StanceRecorded event)' }) eventId: string;
  @ApiProperty({ description: 'When the record was appended (transaction time)' }) recordedAt: string;
  @ApiProperty() corrected: boolean;
  @ApiProperty({ type: [String], description: 'StanceCorrected event ids applied, oldest first' }) correctedBy: string[];
}

export class CountryStancesResponse {
  @ApiProperty({ example: 'ES' }) country: string;
  @ApiProperty({ example: 'Spain' }) countryName: string;
  @ApiProperty({ example: '2026-01-07' }) on: string;
  @ApiProperty({ example: '2026-01-09T12:00:00.000Z' }) knownAt: string;
  @ApiProperty({ example: '21' }) position: string;
  @ApiProperty({ type: [StanceResponse] }) stances: StanceResponse[];
}

export class MatrixRowResponse extends StanceResponse {
  @ApiProperty({ example: 'ES' }) country: string;
  @ApiProperty({ example: 'Spain' }) countryName: string;
}

export class MatrixResponse {
  @ApiProperty() topicId: string;
  @ApiProperty() on: string;
  @ApiProperty() knownAt: string;
  @ApiProperty() position: string;
  @ApiProperty({ type: [MatrixRowResponse] }) countries: MatrixRowResponse[];
  @ApiProperty({ example: { supports: 3, open: 2, undecided: 1, skeptical: 1, opposes: 2 } }) counts: Record<string, number>;
}

export class RevisionResponse {
  @ApiProperty() eventId: string;
  @ApiProperty({ enum: ['corrected', 'retracted'] }) kind: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty() recordedBy: string;
  @ApiProperty() reason: string;
  @ApiPropertyOptional({ nullable: true, type: Object }) changes: object | null;
}

export class TimelineEntryResponse extends StanceResponse {
  @ApiProperty() retracted: boolean;
  @ApiProperty({ nullable: true, type: Object, description: 'The stance in force just before: {stance, score, eventId, effectiveOn}' }) before: object | null;
  @ApiProperty({ enum: ['toward-support', 'toward-opposition', 'unchanged'] }) direction: string;
  @ApiProperty({ nullable: true }) quote: string | null;
  @ApiProperty({ type: [RevisionResponse] }) revisions: RevisionResponse[];
}

export class TimelineResponse {
  @ApiProperty() country: string;
  @ApiProperty() topicId: string;
  @ApiProperty({ nullable: true }) from: string | null;
  @ApiProperty({ nullable: true }) to: string | null;
  @ApiProperty() knownAt: string;
  @ApiProperty() position: string;
  @ApiProperty({ type: [TimelineEntryResponse] }) entries: TimelineEntryResponse[];
}

export class ShiftResponse {
  @ApiProperty() country: string;
  @ApiProperty() countryName: string;
  @ApiProperty({ type: StanceResponse, nullable: true }) from: StanceResponse | null;
  @ApiProperty({ type: StanceResponse, nullable: true }) to: StanceResponse | null;
  @ApiProperty({ enum: ['toward-support', 'toward-opposition', 'unchanged'] }) direction: string;
  @ApiProperty({ type: [StanceResponse] }) events: StanceResponse[];
}

export class ShiftsResponse {
  @ApiProperty() topicId: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty() knownAt: string;
  @ApiProperty() position: string;
  @ApiProperty({ type: [ShiftResponse] }) shifts: ShiftResponse[];
}

export class ErrorResponse {
  @ApiProperty() statusCode: number;
  @ApiProperty() error: string;
  @ApiProperty({ example: 'validation_failed' }) code: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ type: Object, isArray: true, example: [{ field: 'effectiveOn', rule: 'isCalendarDate', message: 'effectiveOn must be a calendar date written YYYY-MM-DD' }] })
  errors?: { field: string; rule: string; message: string }[];
}
