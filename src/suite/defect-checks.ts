import type { DefectName } from '../reference-server/defects.js';

/**
 * Seeded reference-server defects that break a rule of the suite rather than of a crash campaign:
 * the suite check that must fail, and no other (tests/e2e/suite.test.ts), instead of a selftest row.
 */
export const SUITE_DEFECT_CHECKS: Partial<Record<DefectName, string>> = {
  'flush-policy-unbounded': 'startup/invalid-flush-policy',
};
