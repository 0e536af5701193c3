import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseState, LiveQueryRecord } from '../state.js';

/**
 * The live-survives-restart defect: system.live is written to the data directory on every change
 * and read back at start, so the entries of connections that died with the last incarnation stay.
 * (The binary keeps none: a restart starts with an empty system.live.)
 */
export function keptEntriesFile(rocksdbDir: string): string {
  return join(rocksdbDir, 'live-queries.json');
}

export function loadKeptEntries(state: DatabaseState, rocksdbDir: string): number {
  let records: LiveQueryRecord[];
  try {
    records = JSON.parse(readFileSync(keptEntriesFile(rocksdbDir), 'utf8')) as LiveQueryRecord[];
  } catch {
    return 0;
  }
  for (const record of records) state.liveQueries.set(record.liveId, record);
  return records.length;
}

export function saveKeptEntries(state: DatabaseState, rocksdbDir: string): void {
  writeFileSync(keptEntriesFile(rocksdbDir), JSON.stringify([...state.liveQueries.values()]));
}
