import type { CampaignContext, CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import { baselineOf, inspectDataDir, type InspectionBaseline } from '../../storage/index.js';
import type { StorageInspectionMoment, Violation } from '../../vocabulary/violations.js';

export function storageCheckName(when: StorageInspectionMoment): string {
  return when === 'after-crash' ? 'storage-after-crash' : when === 'end' ? 'storage-at-end' : 'storage';
}

/** `kalam-chaos inspect` on the data directory as the crash left it, after the restart and at the end. */
export const storage: CheckerDefinition = {
  name: 'storage',
  summary: 'every manifest matches its parquet segments; versions never go backwards between inspections',
  probes: () => {
    let baseline: InspectionBaseline | undefined;
    const inspect = async (ctx: CampaignContext, cycle: number, when: StorageInspectionMoment): Promise<void> => {
      const inspection = await inspectDataDir(ctx.dataDir, baseline ? { previous: baseline } : {});
      // A crash-state inspection that found damage must not become the baseline the restart is held to.
      if (when !== 'after-crash' || inspection.ok) baseline = baselineOf(inspection);
      ctx.record({ type: 'storage-inspection', cycle, when, ok: inspection.ok, totals: inspection.totals, findings: inspection.findings.map((finding) => ({ ...finding })) });
    };
    return {
      'after-crash': (ctx, cycle) => inspect(ctx, cycle, 'after-crash'),
      'after-restart': (ctx, cycle) => inspect(ctx, cycle, 'after-restart'),
      end: (ctx, cycle) => inspect(ctx, cycle, 'end'),
    };
  },
  judge: () => ({
    observe(event): JudgeOutput[] {
      if (event.type !== 'storage-inspection') return [];
      const violations: Violation[] = event.findings
        .filter((finding) => finding.severity === 'violation')
        .map((finding) => ({ kind: 'storage', when: event.when, finding: finding.kind, path: finding.path, message: finding.message }));
      const warnings = event.findings.filter((finding) => finding.severity === 'warning').length;
      return [{ check: storageCheckName(event.when), cycle: event.cycle, violations, stats: { scopes: event.totals.scopes, segments: event.totals.segments, rows: event.totals.rows, warnings } }];
    },
    finish: () => [],
  }),
};
