/**
 * From history to verdict, with nothing else: the judges of every checker fold the events, their
 * findings are consolidated (each violation once, with the cycles it was seen in) and result.json
 * is built. A campaign feeds it live; `kalam-chaos check RUN_DIR` feeds it history.ndjson.
 */
import { join } from 'node:path';
import { attachToViolations } from '../forensics/attach.js';
import { ackLossFigures } from '../report/ack-loss.js';
import { checkersFor } from '../checker/registry.js';
import { createRunFacts } from '../history/run-facts.js';
import { EXIT_CODES, RESULT_SCHEMA_VERSION } from '../report/result.js';
import type { EventOf, HistoryEvent, LossForensics } from '../vocabulary/events.js';
import type { FirstBootFinding, FlushCycleResult, KillTrigger, RecoveryOutcomeName } from '../vocabulary/faults.js';
import type { CheckSummary, CycleResult, RowsGoalResult, RunResult, Verdict, ViolationRecord } from '../vocabulary/result.js';
import type { CoverageGap, Violation } from '../vocabulary/violations.js';
import type { Judge, JudgeOutput, RunParameters } from './seams.js';

/** Violations that mean the target is past testing: the campaign stops after the cycle. */
const STOPS_THE_RUN = new Set<Violation['kind']>(['recovery-failed', 'target-unrecoverable']);

export interface LiveVerdict {
  observe(event: HistoryEvent): readonly JudgeOutput[];
  /** Whether a cycle's findings so far say the run cannot go on. */
  stopsRun(cycle: number): boolean;
  /** Violations found in a cycle so far (new or persisting). */
  violationsIn(cycle: number): number;
  /** Every violation so far, once each. */
  records(): ViolationRecord[];
  /** Rows acknowledged so far (what result.json `totals.rows.acknowledged` will say). */
  rowsAcknowledged(): number;
  /** After the last event: the judges' final word, then result.json. */
  finish(meta: ResultMeta): RunResult;
}

export interface ResultMeta {
  readonly runDir: string;
  readonly toolVersion: string;
  /** When the run-end event is not (yet) in the history. */
  readonly finishedAt?: string;
}

export function parametersOf(start: EventOf<'run-start'>): RunParameters {
  const options = (start.options ?? {}) as Partial<RunParameters>;
  if (!options.workload || !Array.isArray(options.faults)) throw new Error('history: run-start has no workload or faults in its options (a run of an older kalam-chaos?)');
  return {
    cycles: options.cycles ?? 0,
    workload: options.workload,
    faults: options.faults,
    checks: options.checks ?? [],
    minAcks: options.minAcks ?? 1,
    maxMissedPhaseShare: options.maxMissedPhaseShare ?? 0.5,
    ...(options.flushDeadlineMs !== undefined ? { flushDeadlineMs: options.flushDeadlineMs } : {}),
    timeouts: options.timeouts ?? { readyMs: 0, cycleMs: 0, requestMs: 0, exitMs: 0 },
    pageSize: options.pageSize ?? 1000,
    volatileColumns: options.volatileColumns ?? [],
    ...(options.rows !== undefined ? { rows: options.rows } : {}),
  };
}

const ID_KINDS = new Set<Violation['kind']>(['lost', 'phantom', 'duplicate', 'payload-mismatch']);

/** Each violation once: a lost id still missing a cycle later extends its record; new ids make a new one. */
function createConsolidation() {
  const records: { id: string; cycle: number; check: string; violation: Violation; seenInCycles: number[] }[] = [];
  const byKey = new Map<string, number>();
  const byId = new Map<string, Map<number, number>>();
  const seenIn = (index: number, cycle: number) => {
    const record = records[index]!;
    if (!record.seenInCycles.includes(cycle)) record.seenInCycles.push(cycle);
  };
  const add = (cycle: number, check: string, violation: Violation) => {
    records.push({ id: `V${records.length + 1}`, cycle, check, violation, seenInCycles: [cycle] });
    return records.length - 1;
  };
  return {
    note(cycle: number, check: string, violation: Violation): void {
      if (ID_KINDS.has(violation.kind) && 'ids' in violation) {
        const { ids, ...rest } = violation;
        const base = JSON.stringify([check, rest]);
        const known = byId.get(base) ?? new Map<number, number>();
        byId.set(base, known);
        const fresh = ids.filter((id) => !known.has(id));
        for (const id of ids) if (known.has(id)) seenIn(known.get(id)!, cycle);
        if (fresh.length > 0) {
          const index = add(cycle, check, { ...violation, ids: fresh } as Violation);
          for (const id of fresh) known.set(id, index);
        }
        return;
      }
      if ('workload' in violation) {
        // A workload rule still broken a cycle later is the same violation: its keys and count grow.
        const key = JSON.stringify([check, violation.kind, violation.table, violation.partition, violation.detail]);
        const index = byKey.get(key);
        if (index === undefined) {
          byKey.set(key, add(cycle, check, violation));
          return;
        }
        seenIn(index, cycle);
        const known = records[index]!.violation as typeof violation;
        const union = (a: readonly number[], b: readonly number[]) => [...new Set([...a, ...b])].sort((x, y) => x - y).slice(0, 50);
        records[index]!.violation = { ...known, keys: union(known.keys, violation.keys), requestIds: union(known.requestIds, violation.requestIds), count: Math.max(known.count, violation.count) };
        return;
      }
      const key = JSON.stringify([check, violation]);
      const index = byKey.get(key);
      if (index !== undefined) seenIn(index, cycle);
      else byKey.set(key, add(cycle, check, violation));
    },
    records: (): ViolationRecord[] => records,
  };
}

interface CycleFacts {
  trigger?: KillTrigger;
  fault?: EventOf<'fault'>;
  flushKill?: EventOf<'flush-kill'>;
  flushLanded?: EventOf<'flush-landed'>;
  corruption?: EventOf<'corruption'>;
  outcome?: EventOf<'recovery-outcome'>;
  restored?: boolean;
  powerCut?: EventOf<'power-cut'>;
  restart?: EventOf<'restart'>;
}

export function createLiveVerdict(start: EventOf<'run-start'>): LiveVerdict {
  const parameters = parametersOf(start);
  const judges: Judge[] = checkersFor(parameters.checks, parameters.workload.mix).map((checker) => checker.judge({ event: start, parameters }));
  const facts = createRunFacts();
  const consolidation = createConsolidation();
  const outputs: JudgeOutput[] = [];
  const cycles = new Map<number, CycleFacts>();
  const countIn = new Map<number, number>();
  const stopping = new Set<number>();
  const servers: number[] = [];
  let error: { step: string; message: string } | undefined;
  let interrupted: string | undefined;
  let settle: EventOf<'settle'> | undefined;
  let forensics: LossForensics | undefined;
  let runEnd: EventOf<'run-end'> | undefined;
  let rowsGoalEnd: EventOf<'rows-goal'> | undefined;
  const cycleOf = (cycle: number): CycleFacts => {
    const entry = cycles.get(cycle) ?? {};
    cycles.set(cycle, entry);
    return entry;
  };
  const take = (found: readonly JudgeOutput[]) => {
    for (const output of found) {
      outputs.push(output);
      countIn.set(output.cycle, (countIn.get(output.cycle) ?? 0) + output.violations.length);
      for (const violation of output.violations) {
        consolidation.note(output.cycle, output.check, violation);
        if (STOPS_THE_RUN.has(violation.kind)) stopping.add(output.cycle);
      }
    }
    return found;
  };
  const operations = { acknowledged: 0, failed: 0, indeterminate: 0 };
  const openOperations = new Set<number>();
  const observeCycleFacts = (event: HistoryEvent) => {
    switch (event.type) {
      case 'request':
        if (event.op) openOperations.add(event.requestId);
        return;
      case 'response':
        if (openOperations.delete(event.requestId)) operations[event.outcome]++;
        return;
      case 'nemesis-planned':
        cycleOf(event.cycle).trigger = event.trigger;
        return;
      case 'fault':
        cycleOf(event.cycle).fault = event;
        return;
      case 'flush-kill':
        cycleOf(event.cycle).flushKill = event;
        return;
      case 'flush-landed':
        cycleOf(event.cycle).flushLanded = event;
        return;
      case 'corruption':
        cycleOf(event.cycle).corruption = event;
        return;
      case 'recovery-outcome':
        cycleOf(event.cycle).outcome = event;
        return;
      case 'corruption-restored':
        cycleOf(event.cycle).restored = true;
        return;
      case 'power-cut':
        cycleOf(event.cycle).powerCut = event;
        return;
      case 'restart':
        cycleOf(event.cycle).restart = event;
        return;
      case 'server-start':
        servers.push(event.incarnation);
        return;
      case 'settle':
        settle = event;
        return;
      case 'loss-forensics': {
        const { type: _type, ...rest } = event;
        forensics = rest;
        return;
      }
      case 'error':
        error = { step: event.step, message: event.message };
        return;
      case 'interrupted':
        interrupted = event.signal;
        return;
      case 'run-end':
        runEnd = event;
        return;
      case 'rows-goal':
        rowsGoalEnd = event;
        return;
      default:
        return;
    }
  };
  return {
    observe(event) {
      facts.observe(event);
      observeCycleFacts(event);
      return take(judges.flatMap((judge) => judge.observe(event)));
    },
    stopsRun: (cycle) => stopping.has(cycle),
    violationsIn: (cycle) => countIn.get(cycle) ?? 0,
    records: () => consolidation.records(),
    rowsAcknowledged: () => facts.ledger.rowCounts().acknowledged,
    finish(meta) {
      take(judges.flatMap((judge) => judge.finish()));
      const records = consolidation.records();
      if (forensics) attachToViolations(records.map((record) => record.violation), forensics);
      const gaps = outputs.flatMap((output) => output.gaps ?? []);
      const cycleResults = [...cycles.entries()]
        .filter(([cycle, entry]) => cycle > 0 && entry.trigger !== undefined)
        .sort(([a], [b]) => a - b)
        .map(([cycle, entry]) => cycleResult(cycle, entry, outputs, gaps, facts.ledger.rowCounts(cycle), parameters));
      const verdict: Verdict = interrupted ? 'interrupted' : records.length > 0 ? 'fail' : error ? 'error' : gaps.length > 0 ? 'inconclusive' : 'pass';
      const exitCode =
        verdict === 'interrupted' ? (interrupted === 'SIGTERM' ? EXIT_CODES.interruptedBySigterm : EXIT_CODES.interruptedBySigint) : EXIT_CODES[verdict];
      const startedAt = start.startedAt ?? new Date(0).toISOString();
      const finishedAt = runEnd?.finishedAt ?? meta.finishedAt ?? new Date().toISOString();
      const rowsAcknowledged = facts.ledger.rowCounts().acknowledged;
      const rowsGoal: RowsGoalResult | undefined = parameters.rows && {
        asked: parameters.rows.rows,
        acknowledged: rowsAcknowledged,
        reached: rowsAcknowledged >= parameters.rows.rows,
        cycles: cycleResults.length,
        ...(rowsGoalEnd ? { stoppedBy: rowsGoalEnd.stoppedBy } : {}),
      };
      // A --rows run plans its bound of cycles; what it ran is the schedule worth reporting.
      const schedule = start.schedule ?? cycleResults.map((cycle) => cycle.trigger);
      const lostFindings = outputs.flatMap((output) => output.violations.filter((violation) => violation.kind === 'lost').map((violation) => ({ cycle: output.cycle, violation })));
      return {
        schemaVersion: RESULT_SCHEMA_VERSION,
        tool: { name: 'kalam-chaos', version: meta.toolVersion },
        scenario: start.scenario,
        seed: start.seed,
        verdict,
        exitCode,
        startedAt,
        finishedAt,
        durationMs: runEnd?.durationMs ?? Date.parse(finishedAt) - Date.parse(startedAt),
        target: start.target as RunResult['target'],
        parameters: start.options as Record<string, unknown>,
        schedule: rowsGoal ? schedule.slice(0, cycleResults.length) : schedule,
        cycles: cycleResults,
        totals: { requests: facts.ledger.requestCount(), rows: facts.ledger.rowCounts(), operations: { ...operations, indeterminate: operations.indeterminate + openOperations.size } },
        violations: records,
        coverage: gaps,
        ...(error ? { error } : {}),
        files: { history: join(meta.runDir, 'history.ndjson'), servers: servers.map((index) => join(meta.runDir, 'servers', `incarnation-${index}`)) },
        ...(settle ? { firstBoot: firstBootOf(settle) } : {}),
        ...(parameters.checks.includes('acknowledged-writes') && (parameters.workload.mix ?? ['append']).includes('append') ? { ackLoss: ackLossFigures(cycleResults, lostFindings, rowsAcknowledged) } : {}),
        ...(rowsGoal ? { rowsGoal } : {}),
      };
    },
  };
}

function firstBootOf(settle: EventOf<'settle'>): FirstBootFinding {
  return {
    wouldLoseData: settle.atRisk.length > 0 || settle.filesNotSynced.length > 0,
    namesNotDurable: settle.atRisk,
    filesNotSynced: settle.filesNotSynced,
    entryOperationsNotDurable: settle.entryOperationsNotDurable,
  };
}

function summaries(outputs: readonly JudgeOutput[], cycle: number): CheckSummary[] {
  const byCheck = new Map<string, { check: string; cycle: number; ok: boolean; violations: number; stats?: Record<string, number> }>();
  for (const output of outputs) {
    if (output.cycle !== cycle || output.check === 'coverage') continue;
    const entry = byCheck.get(output.check);
    if (!entry) {
      byCheck.set(output.check, { check: output.check, cycle, ok: output.violations.length === 0, violations: output.violations.length, ...(output.stats ? { stats: output.stats } : {}) });
    } else {
      entry.ok &&= output.violations.length === 0;
      entry.violations += output.violations.length;
    }
  }
  return [...byCheck.values()];
}

function cycleResult(cycle: number, entry: CycleFacts, outputs: readonly JudgeOutput[], gaps: readonly CoverageGap[], rows: CycleResult['rows'], parameters: RunParameters): CycleResult {
  const checks = summaries(outputs, cycle);
  const cycleGaps = gaps.filter((gap) => gap.cycle === cycle);
  const { fault } = entry;
  const flush: FlushCycleResult | undefined = entry.flushKill
    ? (() => {
        const { type: _type, cycle: _cycle, ...kill } = entry.flushKill;
        const landed = entry.flushLanded;
        return {
          ...kill,
          ...(landed?.landedOnDisk ? { landedOnDisk: landed.landedOnDisk } : {}),
          ...(landed?.jobStatusAfterRestart ? { jobStatusAfterRestart: landed.jobStatusAfterRestart } : {}),
          ...(landed ? { landed: landed.landed, asIntended: landed.asIntended } : {}),
        };
      })()
    : undefined;
  const corrupt = parameters.faults.find((spec) => spec.kind === 'corrupt');
  return {
    cycle,
    trigger: entry.trigger!,
    ...(fault ? { fault: { signal: fault.signal, acksThisCycle: fault.acksThisCycle, inFlight: fault.inFlight, atMs: fault.atMs, delivered: fault.delivered } } : {}),
    rows,
    ...(flush ? { flush } : {}),
    ...(entry.corruption && entry.outcome
      ? {
          corruption: {
            applied: { corruption: entry.corruption.corruption, path: entry.corruption.path, detail: entry.corruption.detail, sha256Before: entry.corruption.sha256Before, sha256After: entry.corruption.sha256After, original: entry.corruption.original },
            stop: corrupt?.kind === 'corrupt' ? corrupt.stop : 'kill',
            outcome: entry.outcome.outcome as RecoveryOutcomeName,
            accepted: entry.outcome.accepted,
            damageRead: entry.outcome.damageRead,
            evidence: entry.outcome.evidence,
            ...(entry.outcome.readPaths ? { readPaths: entry.outcome.readPaths } : {}),
            ...(entry.outcome.cacheEviction ? { cacheEviction: entry.outcome.cacheEviction } : {}),
            ...(entry.restored ? { restored: { ok: checks.filter((check) => check.check !== 'recovery-outcome').every((check) => check.ok) } } : {}),
          },
        }
      : {}),
    ...(entry.powerCut ? { powerCut: (({ type: _type, cycle: _cycle, ...summary }) => summary)(entry.powerCut) } : {}),
    ...(entry.restart ? { restart: { incarnation: entry.restart.incarnation, readyMs: entry.restart.readyMs } } : {}),
    checks,
    ...(cycleGaps.length > 0 ? { gaps: cycleGaps } : {}),
  };
}

/** The whole verdict of a history, offline. */
export function judgeHistory(events: readonly HistoryEvent[], meta: ResultMeta): RunResult {
  const start = events[0];
  if (!start || start.type !== 'run-start') throw new Error('history: the first event is not run-start');
  const verdict = createLiveVerdict(start);
  for (const event of events) verdict.observe(event);
  return verdict.finish(meta);
}
