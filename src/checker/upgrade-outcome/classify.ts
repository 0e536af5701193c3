import type { StartOutcome } from '../recovery-outcome/classify.js';
import type { Violation } from '../types.js';
import type { UpgradeOutcomeName } from '../../vocabulary/faults.js';

export const UPGRADE_OUTCOMES: readonly UpgradeOutcomeName[] = ['upgraded', 'refused', 'panic', 'hang', 'silent-loss'];

const PANIC = /panicked at|RUST_BACKTRACE|stack backtrace:/;
/** How a server names a version or format it will not open. */
const NAMES_THE_UPGRADE = /version|format|migrat|upgrade|downgrade|incompatib/i;

/**
 * How a release came up on a data directory another release wrote: every acknowledged row there
 * (upgraded), a clear error naming the version or migration (refused), a panic, a hang, or data
 * missing without a word about the upgrade (silent-loss). `violations` are the acknowledged-writes
 * check's on what the release served.
 */
export function classifyUpgrade(options: {
  readonly start: StartOutcome;
  readonly logLines: readonly string[];
  readonly violations: readonly Violation[];
}): { outcome: UpgradeOutcomeName; evidence: string[] } {
  const panicLines = options.logLines.filter((line) => PANIC.test(line)).slice(0, 10);
  const namingLines = options.logLines.filter((line) => NAMES_THE_UPGRADE.test(line) && /error|fatal|refus|not supported|cannot|failed/i.test(line)).slice(0, 10);
  if (panicLines.length > 0) return { outcome: 'panic', evidence: panicLines };
  switch (options.start.kind) {
    case 'hang':
      return { outcome: 'hang', evidence: ['not ready within the readiness deadline', ...namingLines] };
    case 'exited':
      return {
        outcome: namingLines.length > 0 && options.start.exitCode !== 0 ? 'refused' : 'panic',
        evidence: [`exit code ${options.start.exitCode}, signal ${options.start.signal}`, ...namingLines],
      };
    case 'ready': {
      if (options.violations.length === 0) return { outcome: 'upgraded', evidence: [] };
      const errors = options.violations.flatMap((violation) => (violation.kind === 'unreadable' ? [violation.error] : []));
      const refused = errors.length === options.violations.length && errors.every((error) => NAMES_THE_UPGRADE.test(error));
      return { outcome: refused ? 'refused' : 'silent-loss', evidence: [describeLoss(options.violations), ...errors.slice(0, 5), ...namingLines] };
    }
  }
}

function describeLoss(violations: readonly Violation[]): string {
  const lost = violations.reduce((sum, violation) => sum + (violation.kind === 'lost' ? violation.ids.length : 0), 0);
  const unreadable = violations.filter((violation) => violation.kind === 'unreadable').length;
  const scopes = new Set(violations.map((violation) => ('table' in violation ? `${violation.table}/${'partition' in violation ? violation.partition : ''}` : violation.kind)));
  return `${scopes.size} scope(s) wrong after the release change: ${lost} acknowledged row(s) missing, ${unreadable} scope(s) unreadable (kinds: ${[...new Set(violations.map((violation) => violation.kind))].join(', ')})`;
}
