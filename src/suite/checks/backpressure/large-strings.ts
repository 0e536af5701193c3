import type { SuiteCheck } from '../../types.js';
import { ownNamespace, succeeded } from '../expectations.js';

const LENGTH = 10 * 1024;
const ROWS = 5;

/** Seed: test_large_text_values (10 KB strings, checked with LENGTH). */
export const largeStrings: SuiteCheck = {
  id: 'backpressure/large-strings',
  category: 'backpressure',
  expectation: `${ROWS} rows with ${LENGTH}-character strings are stored whole: LENGTH() answers ${LENGTH} and the text reads back unchanged`,
  async run(ctx) {
    const ns = await ownNamespace(ctx, 'bigtext');
    ctx.require(await ctx.sql(`CREATE TABLE ${ns}.docs (id BIGINT PRIMARY KEY, content TEXT)`), { outcome: 'success' }, 'creating the table');
    const text = (id: number) => String.fromCharCode(96 + id).repeat(LENGTH);
    for (let id = 1; id <= ROWS; id++) {
      ctx.expect(await ctx.sql(`INSERT INTO ${ns}.docs (id, content) VALUES (${id}, '${text(id)}')`), succeeded('Inserted 1 row(s)'), `the INSERT of row ${id}`);
    }
    ctx.expect(
      await ctx.sql(`SELECT id, LENGTH(content) AS len FROM ${ns}.docs ORDER BY id`),
      succeeded(undefined, Array.from({ length: ROWS }, (_, index) => [String(index + 1), LENGTH])),
      'LENGTH of each string',
    );
    const back = await ctx.sqlUnrecorded(`SELECT content FROM ${ns}.docs WHERE id = ${ROWS}`);
    const content = back.rows?.[0]?.[0];
    if (content !== text(ROWS)) ctx.problem(`the text of row ${ROWS} read back ${typeof content === 'string' ? `as ${content.length} characters, not the ${LENGTH} written` : `as ${JSON.stringify(back).slice(0, 200)}`}`);
  },
};
