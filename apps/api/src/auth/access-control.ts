import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@stance-ledger/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessRouteConfig, Principal, RouteAccess } from '@stance-ledger/application';
import { Authenticator } from './authenticator';

export interface DeclaredRoute {
  method: string;
  url: string;
  /** Undefined: the route declares nothing, and every request to it is refused. */
  access?: RouteAccess;
  publicRead?: boolean;
  alsoRoles?: readonly string[];
}

/**
 * Refused credentials one client address may present per minute, as a share of the rate limit:
 * that limit counts per credential, so a client trying a new made-up token each time would
 * never reach it.
 */
const refusedCredentialsPerMinute = (config: AppConfig) => Math.max(10, Math.floor(config.RATE_LIMIT_PER_MINUTE / 10));
const MAX_TRACKED_ADDRESSES = 10_000;

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
  private readonly refusals = new Map<string, { since: number; count: number }>();

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
        this.routes.push({ method, url: route.url, access: config?.access, publicRead: config?.publicRead, alsoRoles: config?.alsoRoles });
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
      if (this.tooManyRefusals(request.ip)) return this.tooMany(request, reply);
      const result = await this.authenticator.authenticate(authorization);
      if (!result.ok) {
        if (result.unavailable) return this.unavailable(request, reply, result.reason);
        this.countRefusal(request.ip);
        return this.unauthenticated(request, reply, result.reason, true);
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
    if (config?.alsoRoles?.some((role) => principal.roles.includes(role))) return;
    const role = config?.alsoRoles?.length ? `${access}' or '${config.alsoRoles.join("' or '")}` : access;
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

  private tooManyRefusals(address: string): boolean {
    const seen = this.refusals.get(address);
    return seen !== undefined && Date.now() - seen.since < 60_000 && seen.count >= refusedCredentialsPerMinute(this.config);
  }

  private countRefusal(address: string): void {
    const now = Date.now();
    const seen = this.refusals.get(address);
    if (seen && now - seen.since < 60_000) {
      seen.count += 1;
      return;
    }
    this.refusals.delete(address);
    this.refusals.set(address, { since: now, count: 1 });
    if (this.refusals.size > MAX_TRACKED_ADDRESSES) this.refusals.delete(this.refusals.keys().next().value as string);
  }

  private tooMany(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const since = this.refusals.get(request.ip)?.since ?? Date.now();
    const wait = Math.max(1, Math.ceil((since + 60_000 - Date.now()) / 1000));
    this.logger.warn(`${request.method} ${request.url} refused: ${refusedCredentialsPerMinute(this.config)} bad credentials from ${request.ip} within a minute`);
    reply.header('Retry-After', String(wait));
    return this.refuse(reply, 429, 'rate_limited', `too many refused credentials from this address: retry in ${wait} s`);
  }

  private unavailable(request: FastifyRequest, reply: FastifyReply, reason: string): Promise<void> {
    this.logger.warn(`${request.method} ${request.url} not checked: ${reason}`);
    reply.header('Retry-After', '5');
    return this.refuse(reply, 503, 'unavailable', reason);
  }

  private async refuse(reply: FastifyReply, statusCode: number, code: string, message: string): Promise<void> {
    const error = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' }[statusCode] ?? 'Error';
    await reply.status(statusCode).send({ statusCode, error, code, message });
  }
}
