import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyRequest } from 'fastify';
import { printable } from './hostile-input';
import { RequestValidationException } from '@stance-ledger/application';

/** The query keys a handler reads by name, or 'dto' when a whole-query DTO (whitelisted by the validation pipe) reads them. */
type QueryRule = ReadonlySet<string> | 'dto';

/**
 * Unknown query parameters are refused on routes that declare no query DTO (the validation
 * pipe's forbidNonWhitelisted refuses them where one is declared): a route without `@Query()`
 * accepts none, one with `@Query('name')` only the names it reads. Read from each handler's
 * parameter metadata once.
 */
@Injectable()
export class KnownQueryGuard implements CanActivate {
  private readonly rules = new WeakMap<object, QueryRule>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    let rule = this.rules.get(handler);
    if (rule === undefined) {
      rule = ruleOf(context.getClass(), handler);
      this.rules.set(handler, rule);
    }
    if (rule === 'dto') return true;
    const query = context.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown> | undefined;
    if (!query) return true;
    const unknown = Object.keys(query).filter((key) => !rule.has(key));
    if (unknown.length === 0) return true;
    throw new RequestValidationException(
      unknown.map((key) => ({ field: printable(key), rule: 'unknownField', message: `${printable(key)} is not a known query parameter of this route` })),
    );
  }
}

function ruleOf(controller: object, handler: { name: string }): QueryRule {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, { data?: unknown }>;
  const names = new Set<string>();
  for (const [key, arg] of Object.entries(args)) {
    if (key.split(':')[0] !== String(RouteParamtypes.QUERY)) continue;
    if (typeof arg.data !== 'string') return 'dto';
    names.add(arg.data);
  }
  return names;
}
