import type { Violation } from '../checker/types.js';
import type { RunResult } from './result.js';
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
    case 'corruption-unread':
      return `corruption-unread: nothing shows the server read ${violation.path} after ${violation.corruption}; the cycle tested nothing`;
    case 'target-unrecoverable':
      return `target-unrecoverable: ${violation.reason}; campaign stopped` +
        (violation.tablesMissing.length ? `; tables missing: ${violation.tablesMissing.join(', ')}` : '') +
        (violation.failures[0] ? `; e.g. ${violation.failures[0].slice(0, 160)}` : '');
    case 'untested':
      return `untested: ${violation.detail}`;
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
  }
}

function lostWhere(forensics: LostRowsForensics | undefined): string {
  const [first, ...rest] = forensics?.ranges ?? [];
  return first ? `; ${describeRange(first)}${rest.length ? ` (+${rest.length} more range(s))` : ''}` : '';
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
  if (result.ackLoss) lines.push(`  ${describeAckLoss(result.ackLoss)}`);
  if (result.firstBoot) lines.push(`  ${describeFirstBoot(result.firstBoot)}`);
  for (const cycle of result.cycles) if (cycle.testedNothing) lines.push(`  cycle ${cycle.cycle} tested nothing: ${cycle.testedNothing}`);
  for (const record of result.violations) lines.push(`  cycle ${record.cycle} [${record.check}] ${describeViolation(record.violation)}`);
  const corruptionCycles = result.cycles.filter((cycle) => cycle.corruption);
  const unread = corruptionCycles.filter((cycle) => !cycle.corruption!.damageRead);
  if (unread.length > 0) lines.push(`  tested too little: the server never read the damaged file in ${unread.length} of ${corruptionCycles.length} corruption cycle(s)`);
  for (const cycle of corruptionCycles) {
    const paths = cycle.corruption!.readPaths;
    if (paths?.length) lines.push(`  cycle ${cycle.cycle} ${cycle.corruption!.applied.corruption.file}:${cycle.corruption!.applied.corruption.kind} read by: ${paths.map((path) => path.path).join('; ')}`);
  }
  if (result.error) lines.push(`  error during "${result.error.step}": ${result.error.message}`);
  lines.push(`  run folder: ${runDir}`);
  return lines.join('\n');
}
