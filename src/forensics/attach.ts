import type { Violation } from '../checker/types.js';
import type { History } from '../history/history.js';
import { forensicsForIds, locateLostRows, type LostScope, type SnapshotRecord } from './locate-lost.js';
import type { LossForensics } from './types.js';

export const FORENSICS_DEADLINE_MS = 60_000;

/** Every lost id per scope across the run's lost violations (a row lost in cycle 2 is lost again in cycle 3). */
export function lostScopesOf(violations: readonly Violation[]): LostScope[] {
  const byScope = new Map<string, { table: string; partition: string | null; ids: Set<number> }>();
  for (const violation of violations) {
    if (violation.kind !== 'lost') continue;
    const key = JSON.stringify([violation.table, violation.partition]);
    const scope = byScope.get(key) ?? { table: violation.table, partition: violation.partition, ids: new Set<number>() };
    for (const id of violation.ids) scope.ids.add(id);
    byScope.set(key, scope);
  }
  return [...byScope.values()].map((scope) => ({ table: scope.table, partition: scope.partition, ids: [...scope.ids].sort((a, b) => a - b) }));
}

/** Puts each scope's ranges on the lost violations of that scope (the objects are shared with the cycle results). */
export function attachToViolations(violations: readonly Violation[], forensics: LossForensics): void {
  for (const violation of violations) {
    if (violation.kind !== 'lost') continue;
    const scope = forensics.scopes.find((candidate) => candidate.table === violation.table && candidate.partition === violation.partition);
    violation.forensics = { ranges: forensicsForIds(scope, violation.ids) };
  }
}

export interface AttachOptions {
  readonly violations: readonly { violation: Violation }[];
  readonly history: History;
  readonly liveDataDir: string;
  readonly snapshots: readonly SnapshotRecord[];
  readonly crashCycles: readonly number[];
  readonly snapshotsOff?: string;
  readonly deadlineMs?: number;
}

/** At the end of a campaign that lost rows: locate them, attach the result to the violations and the history. */
export async function attachLossForensics(options: AttachOptions): Promise<LossForensics | undefined> {
  const violations = options.violations.map((record) => record.violation);
  const lost = lostScopesOf(violations);
  if (lost.length === 0) return undefined;
  let forensics: LossForensics;
  const started = Date.now();
  try {
    forensics = await locateLostRows({
      lost,
      liveDataDir: options.liveDataDir,
      snapshots: options.snapshots,
      crashCycles: options.crashCycles,
      ...(options.snapshotsOff ? { snapshotsOff: options.snapshotsOff } : {}),
      deadlineMs: options.deadlineMs ?? FORENSICS_DEADLINE_MS,
    });
    attachToViolations(violations, forensics);
  } catch (error) {
    // The tool's own failure: said in the history, never turned into a database violation.
    forensics = { scopes: [], snapshotsSearched: [], liveSearched: false, incomplete: [], unreadableFiles: [], durationMs: Date.now() - started, error: (error as Error).message };
  }
  options.history.record({ type: 'loss-forensics', ...forensics });
  return forensics;
}
