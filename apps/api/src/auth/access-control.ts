import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@stance-ledger/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessRouteConfig, RouteAccess } from './access';
import { Authenticator } from './authenticator';
import type { Principal } from './principal';

export interface DeclaredRoute {
  method: string;
  url: string;
  /** Undefined: the route declares nothing, and every request to it is refused. */
  access?: RouteAccess;
  publicRead?: boolean;
}

/** The OpenAPI description, served by @nestjs/swagger outside any controller: any valid credential may read it. */
const API_DESCRIPTION = /^\/docs(-json|\/|$)/;

/**
 * Deny by default, before anything else of the request is read: every route states who may call
 * it (@Access); the credential in `Authorization: Bearer` is checked here, in one Fastify hook
 * that runs before the body is parsed, and the caller becomes `request.principal`.
 */
@Injectable()
export class AccessControl {
  /** Every route Fastify serves, with what it declares: the authorisation spec is generated from it. */
  readonly routes: DeclaredRoute[] = [];
  private readonly logger = new Logger('Access');

  constructor(
    private readonly authenticator: Authenticator,
    private readonly config: AppConfig,
  ) {}

  /**
   * `everyRequestAs` skips every check and makes each request this caller: only the benchmark
   * sets it (in code, never from the environment), to measure what the checks cost.
   */
  install(fastify: FastifyInstance, options: { everyRequestAs?: Principal } = {}): void {
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        const config = route.config as Partial<AccessRouteConfig> | undefined;
        this.routes.push({ method, url: route.url, access: config?.access, publicRead: config?.publicRead });
      }
    });
    const everyRequestAs = options.everyRequestAs;
    if (everyRequestAs) {
      fastify.addHook('onRequest', async (request) => {
        request.principal = everyRequestAs;
      });
      return;
    }
    fastify.addHook('onRequest', (request, reply) => this.check(request, reply));
  }

  private async check(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const config = request.routeOptions.config as Partial<AccessRouteConfig> | undefined;
    const declared = config?.access;
    if (declared === 'public') return;
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const result = await this.authenticator.authenticate(authorization);
      if (!result.ok) {
        return result.unavailable ? this.unavailable(request, reply, result.reason) : this.unauthenticated(request, reply, result.reason, true);
      }
      request.principal = result.principal;
    }
    const principal = request.principal;
    // Unknown paths answer 404 only to a caller with a credential: the routes are not for probing.
    const access: RouteAccess | undefined =
      declared ?? (request.is404 || API_DESCRIPTION.test(request.routeOptions.url ?? '') ? 'credential' : undefined);
    if (access === undefined) {
      this.logger.warn(`${request.method} ${request.url} refused: the route declares no access rule`);
      return this.refuse(reply, 403, 'forbidden', `${request.method} ${request.routeOptions.url} declares who may call it nowhere, so no one may`);
    }
    const publicRead = config?.publicRead === true && this.config.PUBLIC_READS;
    if (!principal) {
      if (publicRead) return;
      return this.unauthenticated(request, reply, 'this request needs a credential: Authorization: Bearer <API key or OIDC token>', false);
    }
    if (access === 'credential' || principal.roles.includes(access) || publicRead) return;
    const role = access;
    this.logger.warn(`${request.method} ${request.url} refused to ${principal.principal}: needs role ${role}`);
    return this.refuse(
      reply,
      403,
      'forbidden',
      `this request needs the role '${role}'; the credential of '${principal.principal}' holds ${principal.roles.length ? principal.roles.join(', ') : 'no role'}`,
    );
  }

  private unauthenticated(request: FastifyRequest, reply: FastifyReply, reason: string, presented: boolean): Promise<void> {
    this.logger.warn(`${request.method} ${request.url} refused: ${reason}`);
    // RFC 6750: a presented but refused token is an invalid_token.
    const challenge = presented ? `Bearer realm="stance-ledger", error="invalid_token", error_description="${reason.replace(/"/g, "'")}"` : 'Bearer realm="stance-ledger"';
    reply.header('WWW-Authenticate', challenge);
    return this.refuse(reply, 401, 'unauthenticated', reason);
  }

  private unavailable(request: FastifyRequest, reply: FastifyReply, reason: string): Promise<void> {
    this.logger.warn(`${request.method} ${request.url} not checked: ${reason}`);
    reply.header('Retry-After', '5');
    return this.refuse(reply, 503, 'unavailable', reason);
  }

  private async refuse(reply: FastifyReply, statusCode: number, code: string, message: string): Promise<void> {
    const error = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' }[statusCode] ?? 'Error';
    await reply.status(statusCode).send({ statusCode, error, code, message });
  }
}
