import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';

const ROWS = 200;
/** server.toml `[limits] default_query_limit`, as both targets are configured (KalamDB's default). */
const DEFAULT_LIMIT = 50;

/** Seed: test_large_result_set (200 rows read back), with KalamDB's default limit made visible. */
export const largeResult: SuiteCheck = {
  id: 'backpressure/large-result',
  category: 'backpressure',
  expectation: `of ${ROWS} rows, a SELECT without LIMIT answers the default limit of ${DEFAULT_LIMIT}, with LIMIT ${ROWS} all ${ROWS}, and COUNT(*) ${ROWS}`,
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'result');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.rows (id BIGINT PRIMARY KEY, v TEXT)`), { outcome: 'success' }, 'creating the table');
    const values = Array.from({ length: ROWS }, (_, index) => `(${index + 1}, 'row ${index + 1}')`).join(', ');
    ctx.require(await ctx.sql(`INSERT INTO ${ns}.rows (id, v) VALUES ${values}`), succeeded(`Inserted ${ROWS} row(s)`), `inserting ${ROWS} rows`);
    const unlimited = await ctx.sql(`SELECT id, v FROM ${ns}.rows`);
    ctx.expect(unlimited, { outcome: 'success' }, 'the SELECT without LIMIT');
    if (unlimited.kind === 'success' && unlimited.rowCount !== DEFAULT_LIMIT) ctx.problem(`the SELECT without LIMIT answered ${unlimited.rowCount ?? 0} rows, not the default limit of ${DEFAULT_LIMIT}`);
    const limited = await ctx.sql(`SELECT id, v FROM ${ns}.rows ORDER BY id LIMIT ${ROWS}`);
    ctx.expect(limited, { outcome: 'success' }, `the SELECT with LIMIT ${ROWS}`);
    if (limited.kind === 'success' && limited.rowCount !== ROWS) ctx.problem(`the SELECT with LIMIT ${ROWS} answered ${limited.rowCount ?? 0} rows`);
    ctx.expect(await ctx.sql(`SELECT COUNT(*) AS n FROM ${ns}.rows`), succeeded(undefined, [[String(ROWS)]]), 'the count');
  },
};
