import type { CampaignContext } from '../run/seams.js';
import { abortPromise } from '../util/abort.js';
import { withDeadline } from '../util/wait.js';

/** Writes a first segment into every scope: writers until 40 acknowledgements, then every table flushed. */
export async function primeColdTier(ctx: CampaignContext): Promise<void> {
  ctx.setStep('prime the cold tier');
  const traffic = ctx.workload.start(ctx, 0);
  await Promise.race([traffic.acks.reached(40), traffic.finished, abortPromise(ctx.signal)]);
  traffic.stop();
  await withDeadline(traffic.finished, 'priming writers to settle', ctx.config.timeouts.requestMs + 5_000);
  ctx.record({ type: 'writers-stopped', cycle: 0, ...countsOf(ctx, 0) });
  for (const table of ctx.workload.tables) await ctx.flushTable(table, 0);
}

export function countsOf(ctx: CampaignContext, cycle: number): { acknowledged: number; failed: number; indeterminate: number } {
  const rows = ctx.facts.ledger.rowCounts(cycle);
  return { acknowledged: rows.acknowledged, failed: rows.failed, indeterminate: rows.indeterminate + rows.pending };
}
