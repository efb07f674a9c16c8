import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Role } from '@stance-ledger/domain';

/**
 * Who may call a route, declared on the route itself and nowhere else:
 * - `public`: anyone (GET /health only);
 * - `credential`: any valid credential, whatever its roles (the topics, /me);
 * - a role: a credential holding that role.
 * `publicRead` also opens the route to requests without a credential when PUBLIC_READS=true (a
 * public tracker): only reads are ever declared so. A route without a declaration is refused
 * (see AccessControl).
 */
export type RouteAccess = 'public' | 'credential' | Role;

export interface AccessRouteConfig {
  access: RouteAccess;
  publicRead?: boolean;
  /** Roles allowed besides `access` (a role): the admins on the routes that manage everyone's webhooks. */
  alsoRoles?: readonly Role[];
}

/** Declares who may call this route: it travels with the route to Fastify, where AccessControl reads it before the body is parsed. */
export const Access = (access: RouteAccess, options: { publicRead?: boolean; alsoRoles?: readonly Role[] } = {}): MethodDecorator =>
  applyDecorators(
    RouteConfig({ access, publicRead: options.publicRead === true, ...(options.alsoRoles ? { alsoRoles: options.alsoRoles } : {}) } satisfies AccessRouteConfig),
    ...(access === 'public' ? [] : [ApiBearerAuth()]),
  );
