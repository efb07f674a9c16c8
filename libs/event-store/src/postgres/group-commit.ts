import type { Pool } from 'pg';
import { type AppendedEvent, type AppendResult, EventIdConflictError, type EventToAppend, type ExpectedRevision, WrongExpectedRevisionError } from '../event-store';
import { APPEND_GROUP_SQL, type GroupAnswer, type GroupedAppend, groupPayload } from './append-group';

/** Groups committing at once. */
const GROUPS_IN_FLIGHT = 2;

/**
 * Appends waiting before a second group goes while one is in flight. A group costs PostgreSQL
 * about as much for one append as for several (a round trip, a statement, a flush), so a few
 * appends wait for the group in flight and go together; only a backlog is worth a second group.
 * A second group any sooner makes both smaller: more flushes for as many appends, fewer appends
 * a second and a longer wait for each.
 */
const APPENDS_FOR_A_SECOND_GROUP = 8;

/** Appends of one group commit at most: bounds the statement while keeping the flushes few. */
const MAX_GROUP_SIZE = 256;

interface PendingAppend extends GroupedAppend {
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Appends queue up and go to PostgreSQL in groups (see the group-commit migration): while one
 * group commits, the next gathers. An append alone goes at once; under load, one transaction
 * and one WAL flush serve many. Each caller's promise settles after its group has committed.
 */
export class GroupCommit {
  private readonly pending: PendingAppend[] = [];
  private groupsInFlight = 0;
  private commitScheduled = false;
  private readonly streamsInFlight = new Set<string>();

  constructor(
    private readonly pool: Pool,
    /** Called once a group has put events in the log. */
    private readonly onAppended: () => void,
  ) {}

  append(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ stream, events, expectedRevision, resolve, reject });
      // Alone, an append goes at once. Behind a group in flight, it waits for the callbacks of this
      // turn to run: the callers a group just answered append again in them, and join one group.
      if (this.groupsInFlight === 0) this.commitPending();
      else this.commitSoon();
    });
  }

  private commitSoon(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    setImmediate(() => {
      this.commitScheduled = false;
      this.commitPending();
    });
  }

  /**
   * Two groups may be in flight, the second only behind a backlog: while one waits for its
   * commit, the next checks its streams. They never share a stream, so a stream's appends still
   * commit in arrival order.
   */
  private commitPending(): void {
    while (this.groupsInFlight < GROUPS_IN_FLIGHT) {
      if (this.groupsInFlight > 0 && this.pending.length < APPENDS_FOR_A_SECOND_GROUP) return;
      const group = this.nextGroup();
      if (group.length === 0) return;
      void this.commitInFlight(group);
    }
  }

  private async commitInFlight(group: PendingAppend[]): Promise<void> {
    this.groupsInFlight += 1;
    for (const append of group) this.streamsInFlight.add(append.stream);
    try {
      await this.commitGroup(group);
    } finally {
      for (const append of group) this.streamsInFlight.delete(append.stream);
      this.groupsInFlight -= 1;
      this.commitSoon();
    }
  }

  /**
   * The longest run of waiting appends, in arrival order, with no stream twice and none of a
   * group in flight: a stream's appends commit in turn.
   */
  private nextGroup(): PendingAppend[] {
    const streams = new Set<string>();
    let size = 0;
    while (size < this.pending.length && size < MAX_GROUP_SIZE) {
      const { stream } = this.pending[size];
      if (streams.has(stream) || this.streamsInFlight.has(stream)) break;
      streams.add(stream);
      size += 1;
    }
    return this.pending.splice(0, size);
  }

  private async commitGroup(group: PendingAppend[], attempt = 1): Promise<void> {
    let answer: GroupAnswer;
    try {
      ({ rows: [answer] } = await this.pool.query<GroupAnswer>(APPEND_GROUP_SQL, [groupPayload(group)]));
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Another process appended some of these event ids at the same moment: the whole group
      // rolled back. Alone, each append then finds the winner's events and answers accordingly.
      if (code === '23505' && group.length > 1) {
        for (const append of group) await this.commitGroup([append]);
        return;
      }
      if (code === '23505' && attempt === 1) return this.commitGroup(group, 2);
      for (const append of group) {
        append.reject(code === '23505' ? new EventIdConflictError(append.stream, append.events.map((event) => event.eventId)) : error);
      }
      return;
    }
    await this.settle(group, answer);
    if (answer.o_first !== null) this.onAppended();
  }

  /** Each append's answer from the group's: its events where they now sit, or why it was refused. */
  private async settle(group: PendingAppend[], answer: GroupAnswer): Promise<void> {
    // The appended appends' events hold consecutive positions from the first, in the group's order.
    let position = answer.o_first === null ? 0n : BigInt(answer.o_first);
    let already = new Map<string, AppendedEvent>();
    let unplaced: unknown;
    if (answer.o_status.includes('already')) {
      try {
        already = await this.placedEvents(group.filter((_, index) => answer.o_status[index] === 'already'));
      } catch (error) {
        unplaced = error;
      }
    }
    group.forEach((append, index) => {
      const status = answer.o_status[index];
      const current = BigInt(answer.o_current[index]);
      if (status === 'wrong_revision') {
        append.reject(new WrongExpectedRevisionError(append.stream, append.expectedRevision, current));
      } else if (status === 'id_conflict') {
        append.reject(new EventIdConflictError(append.stream, append.events.map((event) => event.eventId)));
      } else if (status === 'empty') {
        append.resolve({ stream: append.stream, events: [], nextExpectedRevision: current, alreadyAppended: false });
      } else if (status === 'already' && unplaced !== undefined) {
        append.reject(unplaced);
      } else if (status === 'already') {
        const events = append.events.map(({ eventId }) => already.get(eventId)!).sort((a, b) => (a.revision < b.revision ? -1 : 1));
        append.resolve({ stream: append.stream, events, nextExpectedRevision: events[events.length - 1].revision, alreadyAppended: true });
      } else {
        const events = append.events.map((event, k) => ({ eventId: event.eventId, revision: current + 1n + BigInt(k), position: position + BigInt(k) }));
        position += BigInt(append.events.length);
        append.resolve({ stream: append.stream, events, nextExpectedRevision: current + BigInt(append.events.length), alreadyAppended: false });
      }
    });
  }

  /** Where the events of appends already in the log (retries) sit, by event id. */
  private async placedEvents(appends: PendingAppend[]): Promise<Map<string, AppendedEvent>> {
    const ids = appends.flatMap((append) => append.events.map((event) => event.eventId));
    const { rows } = await this.pool.query<{ event_id: string; revision: string; position: string }>(
      `SELECT event_id::text, stream_revision::text AS revision, global_position::text AS position FROM event_store.events WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.event_id, { eventId: row.event_id, revision: BigInt(row.revision), position: BigInt(row.position) }]));
  }
}
