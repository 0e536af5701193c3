/** Reads what the forensics needs back from a run folder: its lost violations, snapshots and segment records. */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Violation } from '../checker/types.js';
import { segmentOverwritesOf } from '../checker/segment-immutability/fold.js';
import type { HistoryEvent } from '../history/events.js';
import type { RunResult } from '../report/result.js';
import { lostScopesOf } from './attach.js';
import { locateLostRows, type SnapshotRecord } from './locate-lost.js';
import type { LossForensics } from './types.js';

const KEPT = new Set(['snapshot', 'segment-committed', 'corruption']);

/** The history events of the types the forensics reads, in order (a torn last line is skipped). */
export async function readForensicsEvents(historyPath: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  const input = createReadStream(historyPath, { encoding: 'utf8' });
  const opened = await new Promise<boolean>((resolve) => {
    input.once('open', () => resolve(true));
    input.once('error', () => resolve(false));
  });
  if (!opened) throw new Error(`cannot read ${historyPath}`);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof parsed.event !== 'string' || !KEPT.has(parsed.event)) continue;
    const { event, t: _t, level: _level, time: _time, msg: _msg, ...fields } = parsed;
    events.push({ type: event, ...fields } as HistoryEvent);
  }
  return events;
}

export interface RunFolderForensics {
  readonly lost: LossForensics | undefined;
  /** segment-overwritten, recomputed from the history's segment-committed events. */
  readonly overwrites: Violation[];
  /** Whether the history holds segment hashes at all (runs before this check have none). */
  readonly segmentRecords: number;
}

export async function forensicsOfRunFolder(runDir: string, result: RunResult, deadlineMs: number): Promise<RunFolderForensics> {
  const events = await readForensicsEvents(join(runDir, 'history.ndjson'));
  const snapshots: SnapshotRecord[] = events.flatMap((event) =>
    event.type === 'snapshot' ? [event.path ? { cycle: event.cycle, path: join(runDir, event.path) } : { cycle: event.cycle, skipped: event.skipped ?? 'not taken' }] : [],
  );
  const lost = lostScopesOf(result.violations.map((record) => record.violation));
  // data/ in the folder first: it is the backing store under power loss, and the folder may have moved.
  const inFolder = join(runDir, 'data');
  const dataDir = existsSync(inFolder) || typeof result.target.dataDir !== 'string' ? inFolder : result.target.dataDir;
  const forensics = lost.length
    ? await locateLostRows({
        lost,
        liveDataDir: dataDir,
        snapshots,
        crashCycles: result.cycles.map((cycle) => cycle.cycle),
        ...(snapshots.length === 0 ? { snapshotsOff: 'the run kept no crash snapshots' } : {}),
        deadlineMs,
      })
    : undefined;
  return { lost: forensics, overwrites: segmentOverwritesOf(events), segmentRecords: events.filter((event) => event.type === 'segment-committed').length };
}
