import type { CampaignContext, CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import type { MetadataSnapshot } from '../../vocabulary/events.js';
import { captureMetadata, compareMetadata, METADATA } from './capture.js';

async function recordMetadata(ctx: CampaignContext, cycle: number, when: 'before-fault' | 'after-restart'): Promise<void> {
  const snapshot = await captureMetadata(ctx.client(), {
    namespace: ctx.workload.namespace,
    tableScopes: ctx.workload.tables.map((table) => ctx.workload.scopesOf(table)),
    volatileColumns: ctx.config.volatileColumns,
  });
  ctx.record({ type: 'metadata', cycle, when, snapshot });
}

/** system.namespaces, system.tables and every table's columns read the same after the restart as before the fault. */
export const metadata: CheckerDefinition = {
  name: METADATA,
  summary: 'namespaces, tables and columns survive the restart unchanged',
  probes: () => ({
    'before-fault': (ctx, cycle) => recordMetadata(ctx, cycle, 'before-fault'),
    'after-restart': (ctx, cycle) => recordMetadata(ctx, cycle, 'after-restart'),
  }),
  judge() {
    let before: MetadataSnapshot | undefined;
    return {
      observe(event): JudgeOutput[] {
        if (event.type !== 'metadata') return [];
        if (event.when === 'before-fault') {
          before = event.snapshot;
          return [];
        }
        if (!before) return [];
        const result = compareMetadata(before, event.snapshot, event.cycle);
        return [{ check: METADATA, cycle: event.cycle, violations: result.violations }];
      },
      finish: () => [],
    };
  },
};
