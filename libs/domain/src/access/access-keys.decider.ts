import type { AccessEvent, AccessKeyIssued, AccessKeyRevoked } from '../events';
import type { Decider } from '../shared/decider';
import { DomainError, InvalidValueError } from '../shared/errors';
import { isRole, ROLES, type Role } from '../shared/role';

export { ACCESS_KEYS_STREAM } from '../shared/streams';


/** Who a key names: a person or a system, as it will appear as `recordedBy` on everything the key records. */
export const ACCESS_KEY_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@+:-]{0,99}$/u;

/** Carries a parsed name and roles (parseAccessKeyName, parseRoles). */
export interface IssueAccessKey {
  type: 'IssueAccessKey';
  data: { keyId: string; name: string; roles: Role[] };
}

export interface RevokeAccessKey {
  type: 'RevokeAccessKey';
  data: { keyId: string };
}

export type AccessKeyCommand = IssueAccessKey | RevokeAccessKey;

export interface AccessKeysState {
  keys: ReadonlyMap<string, { name: string; revoked: boolean }>;
}

export class AccessKeyNotFoundError extends DomainError {
  readonly code = 'access_key_not_found';

  constructor(readonly keyId: string) {
    super(`no access key has id '${keyId}'`);
  }
}

export class AccessKeyAlreadyRevokedError extends DomainError {
  readonly code = 'access_key_already_revoked';

  constructor(readonly keyId: string) {
    super(`access key '${keyId}' is already revoked`);
  }
}

/** A name of 1 to 100 letters, digits, spaces and `._@+:-`, starting with a letter or digit. */
export function parseAccessKeyName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || !ACCESS_KEY_NAME.test(value)) {
    throw new InvalidValueError(
      field,
      'isAccessKeyName',
      `${field} must be 1 to 100 letters, digits, spaces or ._@+:- starting with a letter or digit (who the key is: a person or a system)`,
    );
  }
  return value;
}

/** One or more distinct roles, in the order of ROLES. */
export function parseRoles(value: unknown, field = 'roles'): Role[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isRole)) {
    throw new InvalidValueError(field, 'isRoleList', `${field} must be a non-empty list of roles among ${ROLES.join(', ')}`);
  }
  return ROLES.filter((role) => value.includes(role));
}

function issue(command: IssueAccessKey, state: AccessKeysState): AccessKeyIssued[] {
  if (state.keys.has(command.data.keyId)) throw new InvalidValueError('id', 'isUnique', `access key id '${command.data.keyId}' is taken`);
  return [{ type: 'AccessKeyIssued', data: command.data }];
}

function revoke(command: RevokeAccessKey, state: AccessKeysState): AccessKeyRevoked[] {
  const key = state.keys.get(command.data.keyId);
  if (!key) throw new AccessKeyNotFoundError(command.data.keyId);
  if (key.revoked) throw new AccessKeyAlreadyRevokedError(command.data.keyId);
  return [{ type: 'AccessKeyRevoked', data: { keyId: command.data.keyId, name: key.name } }];
}

/** The access-keys stream: a key is issued once, with a name and roles, and revoked at most once. No secret is ever an event's. */
export const accessKeysDecider: Decider<AccessKeyCommand, AccessEvent, AccessKeysState, void> = {
  initialState: () => ({ keys: new Map() }),
  evolve(state, event) {
    const keys = new Map(state.keys);
    switch (event.type) {
      case 'AccessKeyIssued':
        keys.set(event.data.keyId, { name: event.data.name, revoked: false });
        return { keys };
      case 'AccessKeyRevoked': {
        const key = keys.get(event.data.keyId);
        if (key) keys.set(event.data.keyId, { ...key, revoked: true });
        return { keys };
      }
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'IssueAccessKey':
        return issue(command, state);
      case 'RevokeAccessKey':
        return revoke(command, state);
      default: {
        const _exhaustive: never = command;
        throw new Error(`unknown command ${String((_exhaustive as { type: string }).type)}`);
      }
    }
  },
};
