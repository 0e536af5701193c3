import type { SuiteCheck } from '../../types.js';
import { succeeded } from '../expectations.js';

/** Seed: test_default_config_starts_successfully. The server the suite started runs the harness's default server.toml. */
export const defaultConfigStarts: SuiteCheck = {
  id: 'startup/default-config-starts',
  category: 'startup',
  expectation: 'with the default configuration the server answers /health 200 "healthy" with its version, and SELECT 1 AS test_value returns 1',
  async run(ctx) {
    const health = await ctx.health();
    if (ctx.expect(health, { outcome: 'success' }, 'GET /health')) {
      const body = JSON.parse(health.message ?? '{}') as { status?: unknown; version?: unknown };
      if (body.status !== 'healthy') ctx.problem(`GET /health: status is ${JSON.stringify(body.status)}, not "healthy"`);
      if (typeof body.version !== 'string' || body.version === '') ctx.problem('GET /health names no version');
    }
    ctx.expect(await ctx.sql('SELECT 1 AS test_value'), succeeded(undefined, [['1']]), 'SELECT 1 AS test_value');
  },
};
