import type { SuiteCheck } from '../../types.js';
import { ownNamespace, refusedMentioning } from '../expectations.js';

/** Seed: test_subscribe_without_namespace_rejected / test_subscribe_to_nonexistent_table_rejected. */
export const subscribeMissingTargets: SuiteCheck = {
  id: 'subscriptions/missing-namespace-or-table',
  category: 'subscriptions',
  expectation: 'SUBSCRIBE TO a table of a namespace that does not exist, or to a table that does not exist, is refused, naming what is missing',
  async run(ctx) {
    const missingNs = ctx.name('subnons');
    const answerNs = await ctx.sql(`SUBSCRIBE TO ${missingNs}.messages`);
    ctx.expect(answerNs, refusedMentioning(undefined, new RegExp(`${missingNs}.*(not found|does not exist)`)), 'SUBSCRIBE TO a table of a missing namespace');
    const ns = await ownNamespace(ctx, 'subnotable');
    const answerTable = await ctx.sql(`SUBSCRIBE TO ${ns}.missing_table`);
    ctx.expect(answerTable, refusedMentioning(undefined, new RegExp(`missing_table.*(not found|does not exist)`)), 'SUBSCRIBE TO a missing table');
  },
};
