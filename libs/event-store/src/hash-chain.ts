import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * The log's integrity format: each event of a stream is chained to the one before it. The writer
 * computes the hashes as it appends; an auditor recomputes them (ChainVerifier in the audit lib).
 */

/** previousHash of the first event of every stream. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: the event's type, its payload and who recorded it when, why and as part of what. */
export interface HashedContent {
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** The metadata fields an event's hash covers (never the hash fields themselves). */
export const AUDITED_METADATA = ['schemaVersion', 'recordedAt', 'recordedBy', 'commandId', 'correlationId', 'causationId'] as const;

/**
 * sha256 over the previous event's hash in the stream and the RFC 8785 (JCS) canonical JSON of
 * the content: the same bytes whatever the key order or the store, so a chain verifies after an
 * export and an import, and upcasting (which never rewrites what was stored) leaves it intact.
 */
export function eventHash(previousHash: string, content: HashedContent): string {
  const audited = Object.fromEntries(AUDITED_METADATA.map((key) => [key, content.metadata[key] ?? null]));
  const canonical = canonicalJson({ type: content.type, data: content.data, metadata: audited });
  // One-shot hash of one string: the same UTF-8 bytes as three updates, a fraction of the calls.
  return hash('sha256', `${previousHash}\n${canonical ?? ''}`, 'hex');
}
