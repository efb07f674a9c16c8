import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AccessKeys, type Principal } from '@stance-ledger/application';
import { isRole, type Role } from '@stance-ledger/domain';
import { AppConfig } from '@stance-ledger/platform';
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';

export type Authentication =
  | { ok: true; principal: Principal }
  /** `unavailable`: the credential could not be checked (identity provider or database unreachable). */
  | { ok: false; reason: string; unavailable?: boolean };

/**
 * How long a key's check is reused. A revoked key is refused by every process within a second:
 * half of it for this, the rest for the query that finds it revoked.
 */
const KEY_CHECK_TTL_MS = 500;
const MAX_KEPT_CHECKS = 10_000;

/** Signatures a token may carry: asymmetric only, so that no public key can be used as an HMAC secret. */
const TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Checks a request's `Authorization` header: an API key issued by the service, or an OIDC JWT when OIDC is configured. */
@Injectable()
export class Authenticator {
  private readonly keyChecks = new Map<string, { result: Authentication; at: number }>();
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly keys: AccessKeys,
    private readonly config: AppConfig,
  ) {
    if (config.OIDC_JWKS_URI) this.jwks = createRemoteJWKSet(new URL(config.OIDC_JWKS_URI), { timeoutDuration: 5000 });
  }

  async authenticate(authorization: string): Promise<Authentication> {
    const token = BEARER.exec(authorization)?.[1];
    if (!token) return { ok: false, reason: 'the Authorization header must be "Bearer <API key or OIDC token>"' };
    if (JWT_SHAPE.test(token)) return this.verifyToken(token);
    return this.verifyKey(token);
  }

  private async verifyKey(secret: string): Promise<Authentication> {
    // Kept by a hash of the secret, so that the map holds no credential.
    const id = hash('sha256', secret, 'base64');
    const kept = this.keyChecks.get(id);
    const now = Date.now();
    if (kept && now - kept.at < KEY_CHECK_TTL_MS) return kept.result;
    let result: Authentication;
    try {
      const key = await this.keys.verify(secret);
      result = key
        ? { ok: true, principal: { principal: key.name, roles: key.roles, via: 'key' } }
        : { ok: false, reason: 'the API key is unknown or revoked' };
    } catch {
      return { ok: false, reason: 'the credential could not be checked: the database is unreachable', unavailable: true };
    }
    this.keyChecks.delete(id);
    this.keyChecks.set(id, { result, at: now });
    if (this.keyChecks.size > MAX_KEPT_CHECKS) this.keyChecks.delete(this.keyChecks.keys().next().value as string);
    return result;
  }

  private async verifyToken(token: string): Promise<Authentication> {
    if (!this.jwks) return { ok: false, reason: 'OIDC tokens are not accepted here (OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URI are not set)' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.OIDC_ISSUER,
        audience: this.config.OIDC_AUDIENCE,
        algorithms: TOKEN_ALGORITHMS,
        clockTolerance: 5,
      }));
    } catch (error) {
      return tokenRefusal(error);
    }
    const principal = typeof payload.email === 'string' && payload.email ? payload.email : payload.sub;
    if (!principal) return { ok: false, reason: 'the token names no subject (sub)' };
    return { ok: true, principal: { principal, roles: rolesOf(payload, this.config.OIDC_ROLES_CLAIM), via: 'oidc' } };
  }
}

function tokenRefusal(error: unknown): Authentication {
  if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'the token has expired' };
  if (error instanceof joseErrors.JWTClaimValidationFailed) return { ok: false, reason: `the token's "${error.claim}" claim is not accepted (${error.reason})` };
  if (error instanceof joseErrors.JWKSTimeout) return { ok: false, reason: "the identity provider's keys could not be fetched in time", unavailable: true };
  if (error instanceof joseErrors.JWKSNoMatchingKey) return { ok: false, reason: "the token is not signed by a key of the identity provider" };
  if (error instanceof joseErrors.JOSEError) return { ok: false, reason: 'the token is not valid (signature, algorithm or format)' };
  // fetch failures of the JWKS endpoint: not the caller's fault.
  return { ok: false, reason: "the identity provider's keys could not be fetched", unavailable: true };
}

/** Roles in a claim: an array of names or one space-separated string; a dotted name reads a nested claim (Keycloak's `realm_access.roles`). */
function rolesOf(payload: JWTPayload, claim: string): Role[] {
  let value: unknown = payload[claim];
  if (value === undefined && claim.includes('.')) {
    value = claim.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), payload);
  }
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/) : [];
  return [...new Set(names.filter(isRole))];
}
