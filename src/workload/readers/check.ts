import type { CheckerDefinition, JudgeOutput, RunStart } from '../../run/seams.js';
import type { Cell, EventOf, HistoryEvent, RequestOutcome } from '../../vocabulary/events.js';
import type { Violation, WorkloadViolationKind } from '../../vocabulary/violations.js';
import { positionOf, READ_LIMIT, READ_ROWS_TABLE, readerId } from './plan.js';

export const READERS_CHECK = 'readers';

/** Per id (writer, position): what its insert's outcome is, and when it was acknowledged. */
const UNSENT = 0;
const PENDING = 1;
const ACKNOWLEDGED = 2;
const FAILED = 3;
const INDETERMINATE = 4;

interface PendingInsert {
  readonly ids: readonly number[];
  readonly cycle: number;
}

interface PendingRead {
  readonly range: readonly [number, number];
  readonly cycle: number;
  /** History position of the read's request: rows acknowledged before it must be seen. */
  readonly began: number;
}

interface Finding {
  readonly keys: Set<number>;
  readonly requestIds: Set<number>;
  count: number;
  first?: string;
}

const CAP = 50;

/**
 * The readers invariant as a pure fold over history order: a range read returns every row of its
 * range whose insert was acknowledged before the read began (else stale-read), and no row whose
 * insert had not been sent by the read's answer or failed (else phantom-read). Across restarts an
 * acknowledged row stays required; an indeterminate one (the server died under it) is allowed,
 * never required, even once a read has seen it. The read-back after each restart is held to the
 * same kinds: every acknowledged row, nothing unsent or failed, no id twice.
 */
export function judgeReaders(run: RunStart): { observe(event: HistoryEvent): JudgeOutput[]; finish(): JudgeOutput[] } {
  const table = `${run.parameters.workload.namespace}.${READ_ROWS_TABLE}`;
  const status: number[][] = [];
  const ackedAt: number[][] = [];
  const inserts = new Map<number, PendingInsert>();
  const reads = new Map<number, PendingRead>();
  /** Ids a read returned while their insert had no answer yet: a later failure makes them phantoms. */
  const seenWhilePending = new Map<number, number>();
  const open = new Map<number, { findings: Map<WorkloadViolationKind, Finding>; stats: Record<string, number> }>();
  let position = 0;

  const cycleEntry = (cycle: number) => {
    let entry = open.get(cycle);
    if (!entry) {
      entry = { findings: new Map(), stats: { reads: 0, readsJudged: 0, insertsAcknowledged: 0, rowsRequired: 0, readBacks: 0 } };
      open.set(cycle, entry);
    }
    return entry;
  };
  const find = (cycle: number, kind: WorkloadViolationKind, ids: readonly number[], requestId: number | undefined, detail: string) => {
    const findings = cycleEntry(cycle).findings;
    let finding = findings.get(kind);
    if (!finding) {
      finding = { keys: new Set(), requestIds: new Set(), count: 0 };
      findings.set(kind, finding);
    }
    finding.count += 1;
    finding.first ??= detail;
    for (const id of ids) if (finding.keys.size < CAP) finding.keys.add(id);
    if (requestId !== undefined && finding.requestIds.size < CAP) finding.requestIds.add(requestId);
  };
  const statusOf = (id: number): number => {
    const at = positionOf(id);
    return at ? (status[at.writer]?.[at.n] ?? UNSENT) : UNSENT;
  };
  const setStatus = (id: number, value: number, tick: number) => {
    const at = positionOf(id);
    if (!at) return;
    (status[at.writer] ??= [])[at.n] = value;
    if (value === ACKNOWLEDGED) (ackedAt[at.writer] ??= [])[at.n] = tick;
  };

  function settleInsert(requestId: number, outcome: RequestOutcome): void {
    const insert = inserts.get(requestId);
    if (!insert) return;
    inserts.delete(requestId);
    const value = outcome === 'acknowledged' ? ACKNOWLEDGED : outcome === 'failed' ? FAILED : INDETERMINATE;
    if (value === ACKNOWLEDGED) cycleEntry(insert.cycle).stats.insertsAcknowledged! += 1;
    const phantoms: number[] = [];
    let reader: number | undefined;
    for (const id of insert.ids) {
      setStatus(id, value, position);
      const read = seenWhilePending.get(id);
      if (read !== undefined) {
        seenWhilePending.delete(id);
        if (value === FAILED) {
          phantoms.push(id);
          reader = read;
        }
      }
    }
    if (phantoms.length > 0) find(insert.cycle, 'phantom-read', phantoms, reader, `read #${reader} returned ${phantoms.length} row(s) of insert #${requestId}, which failed`);
  }

  function judgeRead(requestId: number, read: PendingRead, rows: readonly Cell[][]): void {
    const entry = cycleEntry(read.cycle);
    entry.stats.readsJudged! += 1;
    const returned = new Set<number>();
    const phantoms: number[] = [];
    for (const row of rows) {
      const id = Number(row[0]);
      returned.add(id);
      const state = statusOf(id);
      if (state === UNSENT || state === FAILED || id < read.range[0] || id >= read.range[1]) phantoms.push(id);
      else if (state === PENDING) seenWhilePending.set(id, requestId);
    }
    if (phantoms.length > 0) find(read.cycle, 'phantom-read', phantoms, requestId, `read #${requestId} of [${read.range[0]}, ${read.range[1]}) returned ${phantoms.length} row(s) never sent, failed or outside its range`);
    // A full page may stop short of the range's end: only ids up to its last row are owed.
    const end = rows.length >= READ_LIMIT ? Math.min(read.range[1], Number(rows[rows.length - 1]![0]) + 1) : read.range[1];
    const missing: number[] = [];
    for (let id = read.range[0]; id < end; id++) {
      const at = positionOf(id)!;
      if (status[at.writer]?.[at.n] !== ACKNOWLEDGED || ackedAt[at.writer]![at.n]! >= read.began) continue;
      entry.stats.rowsRequired! += 1;
      if (!returned.has(id)) missing.push(id);
    }
    if (missing.length > 0) find(read.cycle, 'stale-read', missing, requestId, `read #${requestId} of [${read.range[0]}, ${read.range[1]}) missed ${missing.length} row(s) acknowledged before it began`);
  }

  function judgeReadBack(event: EventOf<'read-back'>): void {
    cycleEntry(event.cycle).stats.readBacks! += 1;
    if (event.error !== undefined) return;
    const ids = event.ids ?? (event.rows ?? []).map((row) => Number(row[0]));
    const seen = new Set<number>();
    const phantoms: number[] = [];
    for (const id of ids) {
      const state = statusOf(id);
      if (seen.has(id) || state === UNSENT || state === FAILED) phantoms.push(id);
      seen.add(id);
    }
    if (phantoms.length > 0) find(event.cycle, 'phantom-read', phantoms, undefined, `the read-back after the restart holds ${phantoms.length} row(s) never sent, failed, or twice`);
    const missing: number[] = [];
    status.forEach((states, writer) =>
      states.forEach((state, n) => {
        const id = readerId(writer, n);
        if (state === ACKNOWLEDGED && !seen.has(id)) missing.push(id);
      }),
    );
    if (missing.length > 0) find(event.cycle, 'stale-read', missing, undefined, `the read-back after the restart lacks ${missing.length} acknowledged row(s)`);
  }

  function emit(cycle: number): JudgeOutput[] {
    const entry = cycleEntry(cycle);
    open.delete(cycle);
    const violations: Violation[] = [...entry.findings].map(([kind, finding]) => ({
      kind,
      workload: 'readers',
      table,
      partition: null,
      keys: [...finding.keys].sort((a, b) => a - b),
      requestIds: [...finding.requestIds].sort((a, b) => a - b),
      detail: finding.count > 1 ? `${finding.first} (and ${finding.count - 1} more)` : finding.first!,
    }));
    return [{ check: READERS_CHECK, cycle, violations, stats: entry.stats }];
  }

  return {
    observe(event) {
      position += 1;
      switch (event.type) {
        case 'request':
          if (event.op?.workload !== 'readers') return [];
          if (event.op.f === 'insert') {
            const ids = event.op.keys ?? [];
            inserts.set(event.requestId, { ids, cycle: event.cycle });
            for (const id of ids) setStatus(id, PENDING, position);
          } else if (event.op.f === 'read' && event.op.keys?.length === 2) {
            reads.set(event.requestId, { range: [event.op.keys[0]!, event.op.keys[1]!], cycle: event.cycle, began: position });
            cycleEntry(event.cycle).stats.reads! += 1;
          }
          return [];
        case 'response': {
          if (inserts.has(event.requestId)) settleInsert(event.requestId, event.outcome);
          const read = reads.get(event.requestId);
          if (read) {
            reads.delete(event.requestId);
            if (event.outcome === 'acknowledged') judgeRead(event.requestId, read, event.rows ?? []);
          }
          return [];
        }
        case 'writers-stopped':
          for (const [requestId, insert] of [...inserts]) if (insert.cycle === event.cycle) settleInsert(requestId, 'indeterminate');
          for (const [requestId, read] of [...reads]) if (read.cycle === event.cycle) reads.delete(requestId);
          return [];
        case 'read-back':
          if (event.workload === 'readers' && event.purpose === 'check') judgeReadBack(event);
          return [];
        case 'cycle-end':
          return emit(event.cycle);
        default:
          return [];
      }
    },
    finish: () => [...open.keys()].flatMap(emit),
  };
}

export const readersChecker: CheckerDefinition = {
  name: 'readers',
  summary: 'every range read returns the rows acknowledged before it began and none that was never sent or failed; the read-back after a restart holds every acknowledged row and nothing else',
  judge: judgeReaders,
};
