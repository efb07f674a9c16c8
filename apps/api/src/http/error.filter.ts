import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import {
  IdempotencyKeyReusedError,
  ProjectionBehindError,
  TopicNotFoundError,
  WebhookNotFoundError,
  WebhooksUnconfiguredError,
} from '@stance-ledger/application';
import {
  AccessKeyAlreadyRevokedError,
  AccessKeyNotFoundError,
  DomainError,
  InvalidValueError,
  StanceAlreadyRetractedError,
  StanceRecordNotFoundError,
  TopicAlreadyDefinedError,
  TopicNotDefinedError,
} from '@stance-ledger/domain';
import { EventIdConflictError, WrongExpectedRevisionError } from '@stance-ledger/event-store';
import { isDatabaseUnavailable } from '@stance-ledger/platform';
import { SnapshotNotFoundError } from '@stance-ledger/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';

interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  errors?: { field: string; rule: string; message: string }[];
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function body(statusCode: number, code: string, message: string, errors?: ErrorBody['errors']): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', code, message, ...(errors ? { errors } : {}) };
}

/**
 * Seconds a client is told to wait while the database is unreachable (the key check says the
 * same, apps/api/src/auth/access-control.ts): a restart of PostgreSQL takes a few.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The one place where failures become HTTP statuses: typed errors by their stable codes. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const response = this.toResponse(exception, `${request.method} ${request.url}`);
    if (exception instanceof ProjectionBehindError) reply.header('Retry-After', '1');
    if (response.code === 'database_unavailable') reply.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    void reply.status(response.statusCode).send(response);
  }

  private toResponse(exception: unknown, request: string): ErrorBody {
    if (exception instanceof InvalidValueError) {
      return body(400, exception.code, exception.message, [
        { field: exception.field, rule: exception.rule, message: exception.message },
      ]);
    }
    if (exception instanceof TopicNotDefinedError || exception instanceof TopicNotFoundError) {
      return body(404, 'topic_not_found', exception.message);
    }
    if (exception instanceof StanceRecordNotFoundError || exception instanceof SnapshotNotFoundError || exception instanceof AccessKeyNotFoundError) {
      return body(404, exception.code, exception.message);
    }
    if (exception instanceof WebhookNotFoundError) return body(404, exception.code, exception.message);
    if (exception instanceof WebhooksUnconfiguredError) return body(503, exception.code, exception.message);
    if (exception instanceof TopicAlreadyDefinedError || exception instanceof StanceAlreadyRetractedError || exception instanceof AccessKeyAlreadyRevokedError) {
      return body(409, exception.code, exception.message);
    }
    if (exception instanceof WrongExpectedRevisionError) {
      return body(409, 'concurrency_conflict', `the stream changed while the command ran, retry it: ${exception.message}`);
    }
    if (exception instanceof EventIdConflictError) return body(409, exception.code, exception.message);
    if (exception instanceof IdempotencyKeyReusedError) return body(422, exception.code, exception.message);
    if (exception instanceof ProjectionBehindError) return body(503, exception.code, exception.message);
    if (exception instanceof DomainError) return body(400, exception.code, exception.message);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      // Keep what the exception says (terminus puts its health report there), in our shape.
      const extra = typeof payload === 'object' && payload !== null ? payload : {};
      return { ...body(status, httpCode(status), exception.message), ...extra } as ErrorBody;
    }
    const status = (exception as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own rejections (malformed JSON, wrong content type, body too large).
      return body(status, httpCode(status), (exception as Error).message);
    }
    if (isDatabaseUnavailable(exception)) {
      // Not the request's fault, nor a bug: the client may retry (with its Idempotency-Key, a command is
      // never appended twice). What the driver said stays in the log.
      this.logger.warn(`${request}: the database is unreachable: ${exception instanceof Error ? exception.message : String(exception)}`);
      return body(503, 'database_unavailable', 'the database is unreachable for the moment: retry after the time in Retry-After');
    }
    this.logger.error(`${request}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    return body(HttpStatus.INTERNAL_SERVER_ERROR, 'internal_error', 'internal error');
  }
}

function httpCode(status: number): string {
  return (REASONS[status] ?? 'error').toLowerCase().replace(/ /g, '_');
}
