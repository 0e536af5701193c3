import { parseCsv } from '../../cli/cli-output.js';
import type { SuiteCheck } from '../../types.js';
import { ownNamespace } from '../expectations.js';
import { cliOf, expectSuccess } from './cli-expect.js';

const ROWS = [
  ['a', 'plain'],
  ['b', 'with, a comma and "quotes"'],
];

/** Seed: test_cli_query_output_consistency (here: the same rows in --format json and csv). */
export const cliFormats: SuiteCheck = {
  id: 'cli/format-json-csv',
  category: 'cli',
  needs: ['cli'],
  expectation: '--format json prints the server\'s JSON answer (status success, the rows); --format csv prints a header and the rows, quoted where needed',
  async run(ctx) {
    const cli = cliOf(ctx);
    const ns = await ownNamespace(ctx, 'cliformat');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.kv (k TEXT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')`), { outcome: 'success' }, 'creating the table');
    const values = ROWS.map(([k, v]) => `('${k}', '${v!.replace(/'/g, "''")}')`).join(', ');
    ctx.require(await ctx.sql(`INSERT INTO ${ns}.kv (k, v) VALUES ${values}`), { outcome: 'success' }, 'inserting the rows');
    const select = `SELECT k, v FROM ${ns}.kv ORDER BY k`;
    const json = await cli.run(['-c', select, '--format', 'json']);
    if (expectSuccess(ctx, json, '--format json')) {
      let parsed: { status?: unknown; results?: { rows?: unknown; schema?: { name?: unknown }[] }[] } | undefined;
      try {
        parsed = JSON.parse(json.stdout) as typeof parsed;
      } catch (error) {
        ctx.problem(`--format json: stdout is not JSON (${(error as Error).message})`);
      }
      const result = parsed?.results?.[0];
      if (parsed && (parsed.status !== 'success' || JSON.stringify(result?.rows) !== JSON.stringify(ROWS) || JSON.stringify(result?.schema?.map((column) => column.name)) !== '["k","v"]')) {
        ctx.problem(`--format json: expected status success, columns k, v and the rows ${JSON.stringify(ROWS)}, got ${json.stdout.slice(0, 400)}`);
      }
    }
    const csv = await cli.run(['-c', select, '--format', 'csv']);
    if (expectSuccess(ctx, csv, '--format csv')) {
      const parsed = parseCsv(csv.stdout);
      if (JSON.stringify(parsed) !== JSON.stringify([['k', 'v'], ...ROWS])) ctx.problem(`--format csv: expected the header k,v and the rows ${JSON.stringify(ROWS)}, got ${JSON.stringify(parsed)}`);
    }
  },
};
