import { READ_MODELS_CHANGED_CHANNEL } from '@stance-ledger/read-models';
import { Client } from 'pg';

/**
 * The read models' announcements (their NOTIFY of each checkpoint), heard on a LISTEN connection
 * of this process as the API hears them: when a change became visible, for delays measured after it.
 */
export interface Announcements {
  /** When the first checkpoint at or past `position` was announced (performance.now()); undefined if none was. */
  announcedAt(position: bigint): number | undefined;
  end(): Promise<void>;
}

export async function listenToAnnouncements(databaseUrl: string): Promise<Announcements> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const announced: { position: bigint; at: number }[] = [];
  client.on('notification', ({ payload }) => {
    // A replay's 'tables swapped' is no checkpoint.
    if (payload && /^\d+$/.test(payload)) announced.push({ position: BigInt(payload), at: performance.now() });
  });
  await client.query(`LISTEN ${READ_MODELS_CHANGED_CHANNEL}`);
  return {
    announcedAt(position) {
      // Announcements come in log order: the first at or past `position`, by bisection.
      let low = 0;
      let high = announced.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (announced[middle].position >= position) high = middle;
        else low = middle + 1;
      }
      return announced[low]?.at;
    },
    end: () => client.end(),
  };
}
