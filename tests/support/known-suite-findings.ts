import type { CheckVerdict } from '../../src/suite/types.js';

/**
 * Suite checks the real kalamdb-server (0.4.3-rc.4, 66dc492b) fails through KalamDB's own defects,
 * each named by its FINDINGS.md section. A real-server suite test accepts a failed check only when
 * it is listed here and every one of its problems is one the finding describes; any other failure
 * is a false alarm of ours or a new finding.
 */
export interface KnownSuiteFinding {
  readonly finding: string;
  readonly check: string;
  /** Each problem the check reports must match one of these. */
  readonly problems: readonly RegExp[];
}

export const KNOWN_SUITE_FINDINGS: readonly KnownSuiteFinding[] = [
  { finding: 'F15', check: 'startup/invalid-namespace-name', problems: [/^a two-word name: expected an error .*got success .*Namespace 'kcs_my_[a-z0-9]+' created successfully/] },
  {
    finding: 'F16',
    check: 'validation/drop-primary-key-column',
    problems: [/^DROP COLUMN of the PRIMARY KEY column: expected an error .*got success .*DROP COLUMN id/, /^the key column in system\.columns afterwards: expected the rows \[\["id",true\]\], got \[\]$/],
  },
  {
    finding: 'F17',
    check: 'validation/not-null',
    problems: [/^an INSERT without the NOT NULL column: expected an error .*got success .*Inserted 1 row\(s\)/, /^the rows afterwards: expected the rows \[\["3","Carol",null\]\], got \[\["1","","test@example\.com"\],\["3","Carol",null\]\]$/],
  },
  {
    finding: 'F18',
    check: 'subscriptions/missing-namespace-or-table',
    problems: [/^SUBSCRIBE TO a table of a missing namespace: expected an error .*got success \(1 row\(s\)\)$/, /^SUBSCRIBE TO a missing table: expected an error .*got success \(1 row\(s\)\)$/],
  },
];

/** The failed checks that no known finding explains, with the problems that are not its finding's. */
export function unexplainedFailures(checks: readonly CheckVerdict[]): { id: string; outcome: string; problems: readonly string[]; reason?: string }[] {
  return checks
    .filter((check) => check.outcome !== 'pass')
    .flatMap((check) => {
      const known = check.outcome === 'fail' ? KNOWN_SUITE_FINDINGS.find((finding) => finding.check === check.id) : undefined;
      const unexplained = known ? check.problems.filter((problem) => !known.problems.some((pattern) => pattern.test(problem))) : check.problems;
      if (known && unexplained.length === 0) return [];
      return [{ id: check.id, outcome: check.outcome, problems: unexplained, ...(check.reason ? { reason: check.reason } : {}) }];
    });
}
