import type { AppendReceipt } from '../shared/append-receipt';

export const receiptBody = (receipt: Pick<AppendReceipt, 'eventId' | 'stream' | 'revision' | 'position'>) => ({
  eventId: receipt.eventId,
  stream: receipt.stream,
  revision: receipt.revision.toString(),
  position: receipt.position.toString(),
});

export const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'A retried request with the same key (for the same country) returns the first response and appends nothing' };
