import type { SuiteCheck } from '../../types.js';
import { expectEach, REFUSED, refused } from '../expectations.js';

const INVALID_CHARACTERS = (name: string) => `Statement 1 failed: Name '${name}' contains invalid characters (only alphanumeric and underscore allowed)`;

/** Seed: test_invalid_namespace_names_rejected ("", "123-start", "my-ns", "my.ns", "my ns"), with KalamDB's own rules added. */
export const invalidNamespaceName: SuiteCheck = {
  id: 'startup/invalid-namespace-name',
  category: 'startup',
  expectation: 'CREATE NAMESPACE refuses an empty, digit-first, underscore-first, hyphenated, dotted, two-word, reserved or over-long name with KalamDB\'s error',
  async run(ctx) {
    const twoWords = ctx.name('my');
    // KalamDB 0.4.3 creates the first word of a two-word name: make sure nothing it made outlives the check.
    ctx.cleanup(`DROP NAMESPACE IF EXISTS ${twoWords} CASCADE`);
    const tooLong = `n${'x'.repeat(69)}`;
    await expectEach(ctx, [
      { sql: 'CREATE NAMESPACE ', expect: refused('INVALID_SQL', 'Entity name is required after CREATE NAMESPACE'), what: 'an empty name' },
      { sql: 'CREATE NAMESPACE 123-start', expect: refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Name cannot start with a number') },
      { sql: 'CREATE NAMESPACE my-ns', expect: refused('SQL_EXECUTION_ERROR', INVALID_CHARACTERS('my-ns')) },
      { sql: 'CREATE NAMESPACE my.ns', expect: refused('SQL_EXECUTION_ERROR', INVALID_CHARACTERS('my.ns')) },
      { sql: `CREATE NAMESPACE ${twoWords} ns`, expect: REFUSED, what: 'a two-word name' },
      { sql: 'CREATE NAMESPACE _under', expect: refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Name cannot start with underscore (reserved for system columns)') },
      { sql: 'CREATE NAMESPACE select', expect: refused('SQL_EXECUTION_ERROR', "Statement 1 failed: Name 'select' is a reserved SQL keyword and cannot be used") },
      { sql: 'CREATE NAMESPACE system', expect: refused('SQL_EXECUTION_ERROR', "Statement 1 failed: Namespace 'system' is reserved and cannot be used") },
      { sql: `CREATE NAMESPACE ${tooLong}`, expect: refused('SQL_EXECUTION_ERROR', 'Statement 1 failed: Name is too long (70 characters, max 64)'), what: 'a 70-character name' },
    ]);
  },
};
