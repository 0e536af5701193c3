import { tableRowCount } from '../../cli/cli-output.js';
import type { SuiteCheck } from '../../types.js';
import { ownNamespace } from '../expectations.js';
import { cliOf, expectSuccess } from './cli-expect.js';

const LARGE = 200;

/** Seed: test_cli_empty_result_set / test_cli_large_result_set. */
export const cliResults: SuiteCheck = {
  id: 'cli/empty-and-large-results',
  category: 'cli',
  needs: ['cli'],
  expectation: `an empty result prints its header and "(0 rows)" and exits 0; a ${LARGE}-row result prints all ${LARGE} rows ("(${LARGE} rows)", and ${LARGE} in --format json)`,
  async run(ctx) {
    const cli = cliOf(ctx);
    const ns = await ownNamespace(ctx, 'cliresults');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.rows (id BIGINT PRIMARY KEY, label TEXT) WITH (TYPE = 'SHARED')`), { outcome: 'success' }, 'creating the table');
    const empty = await cli.run(['-c', `SELECT id, label FROM ${ns}.rows`]);
    if (expectSuccess(ctx, empty, 'a SELECT of the empty table', /\bid\b.*\blabel\b/s) && tableRowCount(empty.stdout) !== 0) {
      ctx.problem(`a SELECT of the empty table: expected "(0 rows)", the footer says ${String(tableRowCount(empty.stdout))}`);
    }
    const values = Array.from({ length: LARGE }, (_, index) => `(${index + 1}, 'row-${index + 1}')`).join(', ');
    ctx.require(await ctx.sql(`INSERT INTO ${ns}.rows (id, label) VALUES ${values}`), { outcome: 'success' }, `inserting ${LARGE} rows`);
    const select = `SELECT id, label FROM ${ns}.rows ORDER BY id LIMIT ${LARGE}`;
    const table = await cli.run(['-c', select]);
    if (expectSuccess(ctx, table, `a SELECT of ${LARGE} rows`, new RegExp(`\\brow-${LARGE}\\b`)) && tableRowCount(table.stdout) !== LARGE) {
      ctx.problem(`a SELECT of ${LARGE} rows: expected "(${LARGE} rows)", the footer says ${String(tableRowCount(table.stdout))}`);
    }
    const json = await cli.run(['-c', select, '--format', 'json']);
    if (expectSuccess(ctx, json, `a SELECT of ${LARGE} rows in --format json`)) {
      const rows = (JSON.parse(json.stdout) as { results?: { rows?: unknown[]; row_count?: number }[] }).results?.[0];
      if (rows?.rows?.length !== LARGE || rows.row_count !== LARGE) ctx.problem(`--format json: expected ${LARGE} rows and row_count ${LARGE}, got ${String(rows?.rows?.length)} rows and row_count ${String(rows?.row_count)}`);
    }
  },
};
