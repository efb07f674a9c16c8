/** What a client gets back for an accepted command: where its first event sits in the log. */
export interface AppendReceipt {
  eventId: string;
  stream: string;
  revision: bigint;
  position: bigint;
  /** True when this was a retry of a command already in the log: nothing new was appended. */
  replayed: boolean;
}

export function receiptOf(stream: string, event: { eventId: string; revision: bigint; position: bigint }, replayed: boolean): AppendReceipt {
  return { eventId: event.eventId, stream, revision: event.revision, position: event.position, replayed };
}
