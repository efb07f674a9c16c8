import { type EventStore, pagesOfLog } from '@stance-ledger/event-store';
import { readCheckpoint } from '@stance-ledger/read-models';
import type { DataSource } from 'typeorm';
import { type ChainBreak, ChainVerifier } from './chain-verifier';
import { compareReadModels, type RowMismatch, ShadowReadModels } from './shadow-read-models';

export interface VerificationReport {
  ok: boolean;
  verifiedAt: string;
  log: { head: string; eventsChecked: number; streams: number; chainsIntact: boolean; breaks: ChainBreak[] };
  readModels: { position: string; rows: Record<string, number>; intact: boolean; mismatches: RowMismatch[] };
}

export interface VerificationProgress {
  phase: 'chains' | 'rebuild';
  done: number;
  total?: number;
}

const SHADOW = 'verify_shadow';

/**
 * Recomputes every stream's hash chain over the whole log while it rebuilds the read models from
 * the log into shadow tables, then compares those with the live ones row by row, at the same
 * position. Progress comes from both at once, each phase with its own done and total.
 */
export async function verify(input: {
  store: EventStore;
  dataSource: DataSource;
  databaseUrl: string;
  onProgress?: (progress: VerificationProgress) => void;
  now?: () => Date;
}): Promise<VerificationReport> {
  const { store, dataSource } = input;
  const head = await store.headPosition();
  const chains = new ChainVerifier();
  const checkChains = async () => {
    for await (const batch of pagesOfLog(store)) {
      for (const event of batch) chains.check(event);
      input.onProgress?.({ phase: 'chains', done: chains.eventsChecked, total: Number(head) });
    }
  };

  const shadow = await ShadowReadModels.open(input.databaseUrl, dataSource, SHADOW, { fresh: true });
  try {
    const projector = shadow.projector(store);
    // The live models move on while we rebuild: bring the shadow to the live checkpoint, then
    // compare in one snapshot, and again if the live models moved in between.
    const rebuildAndCompare = async () => {
      for (let attempt = 0; ; attempt++) {
        const live = await readCheckpoint(dataSource);
        await projector.catchUp({ until: { position: live }, onBatch: (done) => input.onProgress?.({ phase: 'rebuild', done: Number(done), total: Number(live) }) });
        const result = await dataSource.transaction('REPEATABLE READ', async (manager) => {
          const now = await readCheckpoint(manager);
          if (now !== (await shadow.position()) && attempt < 5) return undefined;
          return { position: now.toString(), ...(await compareReadModels(manager, SHADOW)) };
        });
        if (result) return result;
      }
    };
    // Side by side: the chains are Node's work, the rebuild PostgreSQL's, and neither waits for the other.
    const [chainsChecked, compared] = await Promise.allSettled([checkChains(), rebuildAndCompare()]);
    if (chainsChecked.status === 'rejected') throw chainsChecked.reason;
    if (compared.status === 'rejected') throw compared.reason;
    const result = compared.value;
    const report: VerificationReport = {
      ok: chains.breaks.length === 0 && result.mismatches.length === 0,
      verifiedAt: (input.now?.() ?? new Date()).toISOString(),
      log: { head: head.toString(), eventsChecked: chains.eventsChecked, streams: chains.streams, chainsIntact: chains.breaks.length === 0, breaks: chains.breaks },
      readModels: { position: result.position, rows: result.rows, intact: result.mismatches.length === 0, mismatches: result.mismatches },
    };
    await dataSource.query(`INSERT INTO audit_verifications (verified_at, ok, report) VALUES ($1, $2, $3::jsonb)`, [report.verifiedAt, report.ok, JSON.stringify(report)]);
    return report;
  } finally {
    await shadow.close();
    await dataSource.query(`DROP SCHEMA IF EXISTS ${SHADOW} CASCADE`);
  }
}

export async function latestVerification(dataSource: DataSource): Promise<VerificationReport | undefined> {
  const [row] = await dataSource.query(`SELECT report FROM audit_verifications ORDER BY id DESC LIMIT 1`);
  return row?.report;
}
