import type { SuiteCheck } from '../../types.js';
import { expectEach, refusedMentioning } from '../expectations.js';

/**
 * Seed: test_syntax_errors_return_clear_messages (SELECT * FROM, INSERT INTO table, CREATE TABLE
 * (id INT), UPDATE SET value = 1, DELETE FROM WHERE id = 1: an error with a non-empty message).
 * Useful means: the message names what the parser found and where (KalamDB's sqlparser says
 * `found: X at Line: L, Column: C`, or `found: EOF`).
 */
export const syntaxErrorMessage: SuiteCheck = {
  id: 'validation/syntax-error-message',
  category: 'validation',
  expectation: 'a statement with a syntax error is refused with a message naming the token found and its line and column (or EOF)',
  async run(ctx) {
    await expectEach(ctx, [
      { sql: 'SELEC * FROM system.tables', expect: refusedMentioning('INVALID_SQL', 'found: SELEC at Line: 1, Column: 1') },
      { sql: 'SELECT * FORM system.tables', expect: refusedMentioning('SQL_EXECUTION_ERROR', 'found: FORM at Line: 1, Column: 10') },
      { sql: 'SELECT * FROM', expect: refusedMentioning('SQL_EXECUTION_ERROR', 'found: EOF') },
      { sql: 'CREATE TABLE (id INT)', expect: refusedMentioning('INVALID_SQL', 'found: ( at Line: 1, Column: 14') },
      { sql: 'INSERT INTO', expect: refusedMentioning('SQL_EXECUTION_ERROR', 'found: EOF') },
      { sql: 'INSERT INTO table', expect: refusedMentioning(undefined, 'found: EOF') },
      { sql: 'UPDATE SET value = 1', expect: refusedMentioning(undefined, /found: \S+ at Line: 1, Column: \d+/) },
      { sql: 'DELETE FROM WHERE id = 1', expect: refusedMentioning(undefined, /found: \S+ at Line: 1, Column: \d+/) },
    ]);
  },
};
