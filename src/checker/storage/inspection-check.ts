import type { Inspection } from '../../storage/index.js';
import type { CheckResult, StorageInspectionMoment, Violation } from '../types.js';

/** A `kalam-chaos inspect` of the data directory as a check: its violations fail it, warnings do not. */
export function storageCheck(inspection: Inspection, cycle: number, when: StorageInspectionMoment): CheckResult {
  const violations: Violation[] = inspection.findings
    .filter((finding) => finding.severity === 'violation')
    .map((finding) => ({ kind: 'storage', when, finding: finding.kind, path: finding.path, message: finding.message }));
  const warnings = inspection.findings.filter((finding) => finding.severity === 'warning').length;
  return {
    check: when === 'after-crash' ? 'storage-after-crash' : when === 'end' ? 'storage-at-end' : 'storage',
    cycle,
    ok: violations.length === 0,
    violations,
    stats: { scopes: inspection.totals.scopes, segments: inspection.totals.segments, rows: inspection.totals.rows, warnings },
  };
}
