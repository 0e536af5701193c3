import { plainText } from '../../cli/cli-output.js';
import type { SuiteCheck } from '../../types.js';
import { ownNamespace } from '../expectations.js';
import { cliOf, expectSuccess } from './cli-expect.js';

/** Seed: test_cli_meta_commands (\dt and \stats, simulated there by their queries). */
export const cliMetaCommands: SuiteCheck = {
  id: 'cli/meta-commands',
  category: 'cli',
  needs: ['cli'],
  expectation: '\\dt lists the tables (a new one among them, with its namespace and type) and \\stats the server\'s metrics, each exiting 0',
  async run(ctx) {
    const cli = cliOf(ctx);
    const ns = await ownNamespace(ctx, 'climeta');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.listed (id BIGINT PRIMARY KEY) WITH (TYPE = 'SHARED')`), { outcome: 'success' }, 'creating the table');
    const tables = await cli.run(['-c', '\\dt']);
    if (expectSuccess(ctx, tables, '\\dt') && !plainText(tables.stdout).split('\n').some((line) => line.includes(ns) && /\blisted\b/.test(line) && /\bshared\b/.test(line))) {
      ctx.problem(`\\dt: no line names ${ns}, listed and shared`);
    }
    expectSuccess(ctx, await cli.run(['-c', '\\stats']), '\\stats', /\bmetric_name\b[\s\S]*\btotal_tables\b/);
  },
};
