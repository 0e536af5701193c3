import type { CheckerDefinition, Judge, JudgeOutput, RunStart } from '../../run/seams.js';
import { foldWorkload } from '../fold.js';
import type { Cell, EventOf, RequestOutcome } from '../../vocabulary/events.js';
import type { Violation, WorkloadViolationKind } from '../../vocabulary/violations.js';
import { ID_BLOCK, positionOf, READ_LIMIT, READ_ROWS_TABLE, readerId } from './plan.js';

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
export function judgeReaders(run: RunStart): Judge {
  const table = `${run.parameters.workload.namespace}.${READ_ROWS_TABLE}`;
  const writers: WriterStates[] = [];
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
    if (!Number.isSafeInteger(id) || id < 1) return UNSENT;
    return writers[Math.floor((id - 1) / ID_BLOCK)]?.status((id - 1) % ID_BLOCK) ?? UNSENT;
  };
  const setStatus = (id: number, value: number, tick: number) => {
    const at = positionOf(id);
    if (!at) return;
    (writers[at.writer] ??= createWriterStates()).set(at.n, value, tick);
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
    const [from, to] = read.range;
    const returned: number[] = [];
    let ascending = true;
    const phantoms: number[] = [];
    for (const row of rows) {
      const id = Number(row[0]);
      if (returned.length > 0 && id <= returned[returned.length - 1]!) ascending = false;
      returned.push(id);
      const state = statusOf(id);
      if (state === UNSENT || state === FAILED || id < from || id >= to) phantoms.push(id);
      else if (state === PENDING) seenWhilePending.set(id, requestId);
    }
    if (phantoms.length > 0) find(read.cycle, 'phantom-read', phantoms, requestId, `read #${requestId} of [${from}, ${to}) returned ${phantoms.length} row(s) never sent, failed or outside its range`);
    // A full page may stop short of the range's end: only ids up to its last row are owed.
    const end = rows.length >= READ_LIMIT ? Math.min(to, returned[returned.length - 1]! + 1) : to;
    // Rows come ORDER BY id, so one walk matches them to the range; out of order, a set does.
    const unordered = ascending ? undefined : new Set(returned);
    let cursor = 0;
    let required = 0;
    const missing: number[] = [];
    for (let id = from; id < end; id++) {
      const states = writers[Math.floor((id - 1) / ID_BLOCK)];
      const n = (id - 1) % ID_BLOCK;
      if (!states || states.status(n) !== ACKNOWLEDGED || states.ackedAt(n) >= read.began) continue;
      required += 1;
      let seen: boolean;
      if (unordered) seen = unordered.has(id);
      else {
        while (cursor < returned.length && returned[cursor]! < id) cursor++;
        seen = returned[cursor] === id;
      }
      if (!seen) missing.push(id);
    }
    entry.stats.rowsRequired! += required;
    if (missing.length > 0) find(read.cycle, 'stale-read', missing, requestId, `read #${requestId} of [${from}, ${to}) missed ${missing.length} row(s) acknowledged before it began`);
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
    writers.forEach((states, writer) => {
      for (let n = 0; n < states.size(); n++) {
        const id = readerId(writer, n);
        if (states.status(n) === ACKNOWLEDGED && !seen.has(id)) missing.push(id);
      }
    });
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
      detail: finding.first!,
      count: finding.count,
    }));
    return [{ check: READERS_CHECK, cycle, violations, stats: entry.stats }];
  }

  return foldWorkload('readers', {
    each: () => {
      position += 1;
    },
    request(event) {
      const op = event.op!;
      if (op.f === 'insert') {
        const ids = op.keys ?? [];
        inserts.set(event.requestId, { ids, cycle: event.cycle });
        for (const id of ids) setStatus(id, PENDING, position);
      } else if (op.f === 'read' && op.keys?.length === 2) {
        reads.set(event.requestId, { range: [op.keys[0]!, op.keys[1]!], cycle: event.cycle, began: position });
        cycleEntry(event.cycle).stats.reads! += 1;
      }
    },
    response(event) {
      if (inserts.has(event.requestId)) settleInsert(event.requestId, event.outcome);
      const read = reads.get(event.requestId);
      if (read) {
        reads.delete(event.requestId);
        if (event.outcome === 'acknowledged') judgeRead(event.requestId, read, event.rows ?? []);
      }
    },
    writersStopped(cycle) {
      for (const [requestId, insert] of [...inserts]) if (insert.cycle === cycle) settleInsert(requestId, 'indeterminate');
      for (const [requestId, read] of [...reads]) if (read.cycle === cycle) reads.delete(requestId);
    },
    readBack: judgeReadBack,
    cycleEnd: emit,
    finish: () => [...open.keys()].flatMap(emit),
  });
}

/** One writer's ids by position: outcome and history position of the acknowledgement, in growable typed arrays. */
interface WriterStates {
  status(n: number): number;
  ackedAt(n: number): number;
  set(n: number, status: number, tick: number): void;
  size(): number;
}

function createWriterStates(): WriterStates {
  let status = new Uint8Array(1024);
  let acked = new Float64Array(1024);
  let size = 0;
  return {
    status: (n) => (n < size ? status[n]! : UNSENT),
    ackedAt: (n) => (n < size ? acked[n]! : Number.POSITIVE_INFINITY),
    set(n, value, tick) {
      if (n >= status.length) {
        const capacity = Math.max(n + 1, status.length * 2);
        const grownStatus = new Uint8Array(capacity);
        grownStatus.set(status);
        const grownAcked = new Float64Array(capacity);
        grownAcked.set(acked);
        status = grownStatus;
        acked = grownAcked;
      }
      status[n] = value;
      if (value === ACKNOWLEDGED) acked[n] = tick;
      size = Math.max(size, n + 1);
    },
    size: () => size,
  };
}

export const readersChecker: CheckerDefinition = {
  name: 'readers',
  summary: 'every range read returns the rows acknowledged before it began and none that was never sent or failed; the read-back after a restart holds every acknowledged row and nothing else',
  judge: judgeReaders,
};
