import type { Violation } from '../checker/types.js';
import type { RunResult } from './result.js';

const MAX_IDS_SHOWN = 12;

export function describeViolation(violation: Violation): string {
  const where = 'table' in violation ? `${violation.table}${violation.partition ? ` (user ${violation.partition})` : ''}` : '';
  const ids = (list: number[]) =>
    list.slice(0, MAX_IDS_SHOWN).join(', ') + (list.length > MAX_IDS_SHOWN ? `, … (${list.length} in all)` : '');
  switch (violation.kind) {
    case 'lost':
      return `lost: ${violation.ids.length} acknowledged row(s) missing from ${where}: ${ids(violation.ids)}`;
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
    case 'storage':
      return `storage (${violation.when}): ${violation.finding} ${violation.path}: ${violation.message}`;
  }
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
