import type { CoverageGap, Violation } from '../vocabulary/violations.js';
import type { RunResult, ViolationRecord } from './result.js';
import { describeRange } from '../forensics/describe.js';
import type { LostRowsForensics } from '../forensics/types.js';
import { describeAckLoss } from './ack-loss.js';
import { describeFirstBoot } from '../power-loss/first-boot.js';

const MAX_IDS_SHOWN = 12;

export function describeViolation(violation: Violation): string {
  const where = 'partition' in violation ? `${violation.table}${violation.partition ? ` (user ${violation.partition})` : ''}` : '';
  const ids = (list: number[]) =>
    list.slice(0, MAX_IDS_SHOWN).join(', ') + (list.length > MAX_IDS_SHOWN ? `, … (${list.length} in all)` : '');
  switch (violation.kind) {
    case 'lost':
      return `lost: ${violation.ids.length} acknowledged row(s) missing from ${where}: ${ids(violation.ids)}${lostWhere(violation.forensics)}`;
    case 'phantom':
      return `phantom: ${violation.ids.length} row(s) in ${where} that were ${violation.reason === 'never-sent' ? 'never sent' : 'rejected by the server'}: ${ids(violation.ids)}`;
    case 'duplicate':
      return `duplicate: ${violation.ids.length} primary key(s) appear more than once in ${where}: ${ids(violation.ids)}`;
    case 'payload-mismatch':
      return `payload-mismatch: ${violation.ids.length} row(s) in ${where} differ from what was sent: ${ids(violation.ids)}`;
    case 'count-mismatch':
      return `count-mismatch: ${where} COUNT(*) = ${violation.countStar} but ${violation.distinctIds} distinct ids were read`;
    case 'unreadable':
      return `unreadable: ${where}: ${violation.error}`;
    case 'metadata-changed':
      return `metadata-changed: ${violation.what} of ${violation.subject} differ after restart`;
    case 'server-crashed':
      return `server-crashed: incarnation ${violation.incarnation} exited on its own (code ${violation.exitCode}, signal ${violation.signal})`;
    case 'recovery-failed':
      return `recovery-failed: incarnation ${violation.incarnation} did not come back: ${violation.error}`;
    case 'unavailable':
      return `unavailable: ${violation.detail}`;
    case 'recovery-outcome':
      return `recovery-outcome: after ${violation.corruption} of ${violation.path} the server ${violation.outcome === 'silent-loss' ? 'silently lost data' : `ended "${violation.outcome}"`} (accepted: ${violation.accepted.join(', ')})${violation.evidence[0] ? `; ${violation.evidence[0].slice(0, 160)}` : ''}`;
    case 'upgrade-outcome':
      return `upgrade-outcome: ${violation.direction} from ${violation.from} to ${violation.to} ${violation.outcome === 'silent-loss' ? 'silently lost data' : `ended "${violation.outcome}"`} (accepted: ${violation.accepted.join(', ')})${violation.evidence[0] ? `; ${violation.evidence[0].slice(0, 200)}` : ''}`;
    case 'target-unrecoverable':
      return `target-unrecoverable: ${violation.reason}; campaign stopped` +
        (violation.tablesMissing.length ? `; tables missing: ${violation.tablesMissing.join(', ')}` : '') +
        (violation.failures[0] ? `; e.g. ${violation.failures[0].slice(0, 160)}` : '');
    case 'storage':
      return `storage (${violation.when}): ${violation.finding} ${violation.path}: ${violation.message}`;
    case 'segment-overwritten':
      return `segment-overwritten: ${violation.scope}/${violation.file} was ${violation.before.size} bytes sha256 ${violation.before.sha256.slice(0, 12)}… (cycle ${violation.before.cycle} ${violation.before.when}, manifest v${violation.before.manifestVersion}) and is now ${violation.after.size} bytes sha256 ${violation.after.sha256.slice(0, 12)}… (cycle ${violation.after.cycle} ${violation.after.when}, manifest v${violation.after.manifestVersion})`;
    case 'table-unavailable':
      return (
        `table-unavailable: ${violation.table} in incarnation ${violation.incarnation}: ` +
        (violation.readAnswers[0] ? `a read answered "${violation.readAnswers[0].slice(0, 120)}"; ` : '') +
        `${violation.failedWrites} write(s) failed, ${violation.acknowledgedWrites} acknowledged` +
        (violation.sampleErrors[0] ? ` (${violation.sampleErrors[0].slice(0, 120)})` : '')
      );
    case 'flush-stuck':
      return (
        `flush-stuck: ${violation.table} in incarnation ${violation.incarnation}: ${violation.reason}` +
        (violation.jobId ? ` (job ${violation.jobId} ${violation.jobStatus ?? '?'}${violation.jobMessage ? `: ${violation.jobMessage.slice(0, 100)}` : ''})` : '') +
        (violation.answers.length ? `; last answer "${violation.answers[violation.answers.length - 1]!.slice(0, 140)}"` : '')
      );
    default:
      return `${violation.kind} (${violation.workload} workload): ${where}: ${violation.detail}, ${violation.count} time(s)` + (violation.keys.length ? `; keys ${ids(violation.keys)}` : '');
  }
}

function lostWhere(forensics: LostRowsForensics | undefined): string {
  const [first, ...rest] = forensics?.ranges ?? [];
  return first ? `; ${describeRange(first)}${rest.length ? ` (+${rest.length} more range(s))` : ''}` : '';
}

/** Cycle numbers as ranges: [2, 3, 4, 7] -> "2-4, 7". */
export function describeCycleList(cycles: readonly number[]): string {
  const sorted = [...new Set(cycles)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    parts.push(end === index ? String(sorted[index]) : `${sorted[index]}-${sorted[end]}`);
    index = end + 1;
  }
  return parts.join(', ');
}

/** Every cycle a violation was seen in, its first cycle included, ascending. */
export function cyclesSeen(record: ViolationRecord): number[] {
  // Tolerates a record without seenInCycles (a result.json written before schema version 2).
  const seen = Array.isArray(record.seenInCycles) ? record.seenInCycles : [];
  return [...new Set([record.cycle, ...seen])].sort((a, b) => a - b);
}

/**
 * The cycles after its first one a violation was seen in, in words: "persisted through cycles 2-3"
 * when it stayed without a break, "seen again in cycles 3, 5" when it came back; '' if seen once.
 */
export function describePersistence(record: ViolationRecord): string {
  const later = cyclesSeen(record).filter((cycle) => cycle > record.cycle);
  if (later.length === 0) return '';
  const unbroken = later.every((cycle, index) => cycle === record.cycle + index + 1);
  const cycles = `cycle${later.length > 1 ? 's' : ''} ${describeCycleList(later)}`;
  return unbroken ? `persisted through ${cycles}` : `seen again in ${cycles}`;
}

/** A violation record's id; V1, V2 ... by position for a record without one. */
export function recordId(record: ViolationRecord, index: number): string {
  return typeof record.id === 'string' && record.id ? record.id : `V${index + 1}`;
}

/** The run's coverage gaps: result.coverage and every cycle's gaps, each once, the run's (cycle 0) first. */
export function coverageGaps(result: RunResult): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  const seen = new Set<string>();
  const all = [...(Array.isArray(result.coverage) ? result.coverage : []), ...result.cycles.flatMap((cycle) => cycle.gaps ?? [])];
  for (const gap of all) {
    const key = `${gap.cycle}\u0000${gap.kind}\u0000${gap.detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    gaps.push(gap);
  }
  return gaps.sort((a, b) => a.cycle - b.cycle);
}

/** "cycle 2 fault-not-delivered: ..." or, for cycle 0, "run no-acknowledged-write: ...". */
export function describeGap(gap: CoverageGap): string {
  return `${gap.cycle === 0 ? 'run' : `cycle ${gap.cycle}`} ${gap.kind}: ${gap.detail}`;
}

/** Why a run is inconclusive, in one sentence. */
export function describeInconclusive(result: RunResult): string {
  const gaps = coverageGaps(result);
  if (gaps.length === 0) return 'no violation and no error, but the run tested too little';
  const byKind = new Map<string, number[]>();
  for (const gap of gaps) byKind.set(gap.kind, [...(byKind.get(gap.kind) ?? []), gap.cycle]);
  const why = [...byKind.entries()]
    .map(([kind, cycles]) => {
      const inCycles = cycles.filter((cycle) => cycle > 0);
      const where = [cycles.includes(0) ? 'the run' : '', inCycles.length ? `cycle${inCycles.length > 1 ? 's' : ''} ${describeCycleList(inCycles)}` : '']
        .filter(Boolean)
        .join(' and ');
      return `${kind} (${where})`;
    })
    .join('; ');
  return `no violation and no error, but the run tested too little: ${why}`;
}

/** The human summary printed at the end of a run. */
export function formatSummary(result: RunResult, runDir: string): string {
  const rows = result.totals.rows;
  const lines = [
    `${result.verdict.toUpperCase()}: ${result.scenario} seed=${result.seed} target=${result.target.kind}` +
      (Array.isArray(result.target.defects) && result.target.defects.length ? ` defects=${result.target.defects.join(',')}` : ''),
    `  cycles: ${result.cycles.length}/${(result.parameters.cycles as number) ?? result.cycles.length}  requests: ${result.totals.requests}  ` +
      `rows acknowledged: ${rows.acknowledged}  failed: ${rows.failed}  indeterminate: ${rows.indeterminate}`,
  ];
  const operations = result.totals.operations;
  if (operations && operations.acknowledged + operations.failed + operations.indeterminate > 0) {
    lines.push(`  other workloads' operations acknowledged: ${operations.acknowledged}  failed: ${operations.failed}  indeterminate: ${operations.indeterminate}`);
  }
  if (result.ackLoss) lines.push(`  ${describeAckLoss(result.ackLoss)}`);
  if (result.firstBoot) lines.push(`  ${describeFirstBoot(result.firstBoot)}`);
  if (result.verdict === 'inconclusive') lines.push(`  inconclusive: ${describeInconclusive(result)}`);
  // Each violation once, at the cycle it first appeared, with the cycles it was still seen in.
  result.violations.forEach((record, index) => {
    const persistence = describePersistence(record);
    lines.push(`  ${recordId(record, index)} cycle ${record.cycle} [${record.check}] ${describeViolation(record.violation)}${persistence ? `; ${persistence}` : ''}`);
  });
  for (const gap of coverageGaps(result)) lines.push(`  coverage gap: ${describeGap(gap)}`);
  const corruptionCycles = result.cycles.filter((cycle) => cycle.corruption);
  for (const cycle of corruptionCycles) {
    const paths = cycle.corruption!.readPaths;
    if (paths?.length) lines.push(`  cycle ${cycle.cycle} ${cycle.corruption!.applied.corruption.file}:${cycle.corruption!.applied.corruption.kind} read by: ${paths.map((path) => path.path).join('; ')}`);
  }
  if (result.error) lines.push(`  error during "${result.error.step}": ${result.error.message}`);
  lines.push(`  run folder: ${runDir}`);
  return lines.join('\n');
}
