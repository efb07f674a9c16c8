import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@stance-ledger/domain';
import type { FastifyRequest } from 'fastify';

/** Who a request proved it comes from: the key's name, or the token's `email` (else `sub`). */
export interface Principal {
  principal: string;
  roles: Role[];
  via: 'key' | 'oidc';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by AccessControl when the request carried a valid credential. */
    principal?: Principal;
  }
}

/** The authenticated caller of a route that requires a credential. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  // AccessControl refuses credential-less requests to such routes before they get here.
  if (!principal) throw new Error('a route reading its caller must require a credential');
  return principal;
});
