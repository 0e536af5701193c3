import type { Violation } from '../types.js';

/** How a server came back from a damaged data directory (issue: corruption campaigns). */
export type RecoveryOutcome = 'rebuilt' | 'refused' | 'panic' | 'hang' | 'silent-loss';

export const RECOVERY_OUTCOMES: readonly RecoveryOutcome[] = ['rebuilt', 'refused', 'panic', 'hang', 'silent-loss'];

export type StartOutcome = { readonly kind: 'ready' } | { readonly kind: 'exited'; readonly exitCode: number | null; readonly signal: string | null } | { readonly kind: 'hang' };

export interface OutcomeEvidence {
  readonly outcome: RecoveryOutcome;
  /** Log lines and error messages that support the verdict. */
  readonly evidence: string[];
  /** Whether anything the server said shows it met the damaged file (else the cycle tested nothing). */
  readonly damageRead: boolean;
}

const PANIC = /panicked at|RUST_BACKTRACE|stack backtrace:/;

/**
 * Classifies an incarnation started on a damaged data directory. `names` are strings that identify
 * the damage (the file's name, its folder, its table): a refusal must name one of them.
 */
export function classifyRecovery(options: {
  readonly start: StartOutcome;
  readonly logLines: readonly string[];
  /** Violations of the acknowledged-writes check, when the server became ready. */
  readonly violations: readonly Violation[];
  /** Errors of writes into the damaged scope after the restart (the write path reads manifests too). */
  readonly writeErrors?: readonly string[];
  readonly names: readonly string[];
}): OutcomeEvidence {
  const mentions = (text: string) => options.names.some((name) => name.length > 0 && text.includes(name));
  const panicLines = options.logLines.filter((line) => PANIC.test(line));
  const namingLines = options.logLines.filter(mentions).slice(0, 20);
  const errors = [...options.violations.flatMap((violation) => (violation.kind === 'unreadable' ? [violation.error] : [])), ...(options.writeErrors ?? [])];
  const damageRead = namingLines.length > 0 || errors.some(mentions);
  const evidence = [...panicLines.slice(0, 10), ...namingLines, ...errors.slice(0, 10)];
  if (panicLines.length > 0) return { outcome: 'panic', evidence, damageRead: true };
  switch (options.start.kind) {
    case 'hang':
      return { outcome: 'hang', evidence, damageRead };
    case 'exited':
      // An exit is a refusal only when it says what it refused; otherwise it is unexplained.
      return { outcome: namingLines.length > 0 && options.start.exitCode !== 0 ? 'refused' : 'panic', evidence: [`exit code ${options.start.exitCode}, signal ${options.start.signal}`, ...evidence], damageRead };
    case 'ready': {
      if (options.violations.length === 0) {
        return { outcome: errors.some(mentions) ? 'refused' : 'rebuilt', evidence, damageRead };
      }
      // A scope whose read failed with an error is not silent about it, whatever rows that error hid.
      const unreadable = new Set(options.violations.flatMap((violation) => (violation.kind === 'unreadable' ? [`${violation.table}/${violation.partition}`] : [])));
      const silent = options.violations.filter(
        (violation) => violation.kind !== 'unreadable' && !('partition' in violation && unreadable.has(`${violation.table}/${violation.partition}`)),
      );
      if (silent.length === 0 && errors.some(mentions)) return { outcome: 'refused', evidence, damageRead };
      return { outcome: 'silent-loss', evidence: [...evidence, ...silent.map((violation) => JSON.stringify(violation).slice(0, 300))], damageRead };
    }
  }
}
