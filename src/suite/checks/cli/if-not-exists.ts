import type { SuiteCheck } from '../../types.js';
import { cliOf, expectFailure, expectSuccess } from './cli-expect.js';

/** Seed: test_cli_idempotent_namespace_operations / _table_operations. */
export const cliIfNotExists: SuiteCheck = {
  id: 'cli/if-not-exists-idempotent',
  category: 'cli',
  needs: ['cli'],
  expectation: 'CREATE NAMESPACE / CREATE TABLE IF NOT EXISTS through the CLI exit 0 every time they run; without IF NOT EXISTS the second CREATE exits 1, saying it exists',
  async run(ctx) {
    const cli = cliOf(ctx);
    const ns = ctx.name('cliidem');
    ctx.cleanup(`DROP NAMESPACE IF EXISTS ${ns} CASCADE`);
    for (const time of ['first', 'second']) {
      expectSuccess(ctx, await cli.run(['-c', `CREATE NAMESPACE IF NOT EXISTS ${ns}`]), `CREATE NAMESPACE IF NOT EXISTS, ${time} time`);
    }
    for (const time of ['first', 'second']) {
      expectSuccess(ctx, await cli.run(['-c', `CREATE TABLE IF NOT EXISTS ${ns}.t (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE = 'SHARED')`]), `CREATE TABLE IF NOT EXISTS, ${time} time`);
    }
    expectFailure(ctx, await cli.run(['-c', `CREATE NAMESPACE ${ns}`]), 'CREATE NAMESPACE of an existing namespace', /already exists/);
  },
};
