import { expect } from 'chai';
import { join } from 'node:path';
import { waitFor } from '../../src/util/wait.js';
import { useReferenceServers, type RunningServer } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

/**
 * Keyset and offset pages of a user table are answered from a key-ordered view of its rows; they
 * must say exactly what the general path (a filter and a sort of every row) says, with hot and
 * cold rows merged, changes between pages seen, and the no-dedupe defect's second copies kept.
 */

const TABLE = 'CREATE NAMESPACE p; CREATE TABLE p.t (id BIGINT PRIMARY KEY, v TEXT, n BIGINT)';
/** A WHERE on another column that every row passes: the general path's answer. */
const EVERY_ROW = 'WHERE n IS NULL OR n IS NOT NULL';

async function flush(server: RunningServer): Promise<void> {
  const answer = await server.query('STORAGE FLUSH TABLE p.t');
  const jobId = /Job ID: (FL-[0-9a-f]+)/.exec(answer.message ?? '')?.[1];
  if (!jobId) throw new Error(`no flush job: ${answer.message}`);
  await waitFor(async () => (await server.query(`SELECT status FROM system.jobs WHERE job_id = '${jobId}'`)).rows?.[0]?.[0] === 'completed' || undefined, { timeoutMs: 10_000, what: `flush job ${jobId}` });
}

/** Every row by keyset pages of `size` (`id >= last`, dropping the copies of `last` already read). */
async function keysetPages(server: RunningServer, size: number): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  let last: number | undefined;
  let copiesOfLast = 0;
  for (let page = 0; page < 100; page++) {
    const where = last === undefined ? '' : ` WHERE id >= ${last}`;
    const answer = (await server.query(`SELECT id, v FROM p.t${where} ORDER BY id LIMIT ${size} OFFSET ${copiesOfLast}`)).rows ?? [];
    rows.push(...answer);
    if (answer.length < size) return rows;
    const tail = Number(answer[answer.length - 1]![0]);
    const tailCopies = answer.filter((row) => Number(row[0]) === tail).length;
    copiesOfLast = tail === last ? copiesOfLast + tailCopies : tailCopies;
    last = tail;
  }
  throw new Error('keyset paging did not end');
}

async function offsetPages(server: RunningServer, size: number): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for (let page = 0; page < 100; page++) {
    const answer = (await server.query(`SELECT id, v FROM p.t ORDER BY id LIMIT ${size} OFFSET ${page * size}`)).rows ?? [];
    rows.push(...answer);
    if (answer.length < size) return rows;
  }
  throw new Error('offset paging did not end');
}

describe('reference server: key-ordered reads (keyset and offset pages)', function () {
  this.timeout(40_000);
  const tempDir = useTempDir('kalam-key-order-test-');
  const servers = useReferenceServers();
  const start = (defects: string[] = []) => servers.start({ dataDir: join(tempDir(), 'data'), extraArgs: defects.flatMap((defect) => ['--defect', defect]) });

  /** Rows in both tiers: 1..12 flushed, then 3 updated, 5 deleted, 13..16 inserted hot. */
  async function mixedTiers(server: RunningServer): Promise<void> {
    await server.query(TABLE);
    await server.query(`INSERT INTO p.t (id, v, n) VALUES ${Array.from({ length: 12 }, (_, index) => `(${index + 1}, 'c${index + 1}', ${index})`).join(', ')}`);
    await flush(server);
    await server.query("UPDATE p.t SET v = 'hot3' WHERE id = 3");
    await server.query('DELETE FROM p.t WHERE id = 5');
    await server.query("INSERT INTO p.t (id, v, n) VALUES (16, 'h16', NULL), (13, 'h13', 1), (15, 'h15', 2), (14, 'h14', NULL)");
  }

  it('keyset and offset pages say what a filter and sort of every row says, hot and cold merged', async () => {
    const server = await start();
    await mixedTiers(server);
    const everything = (await server.query(`SELECT id, v FROM p.t ${EVERY_ROW} ORDER BY id LIMIT 1000`)).rows;
    expect(everything?.map((row) => Number(row[0]))).to.deep.equal([1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(everything?.[2]).to.deep.equal(['3', 'hot3']);
    for (const size of [1, 4, 5, 15]) {
      expect(await keysetPages(server, size), `keyset pages of ${size}`).to.deep.equal(everything);
      expect(await offsetPages(server, size), `offset pages of ${size}`).to.deep.equal(everything);
    }
    expect((await server.query('SELECT id FROM p.t WHERE id > 12 ORDER BY id LIMIT 2')).rows).to.deep.equal([['13'], ['14']]);
    expect((await server.query('SELECT COUNT(*) FROM p.t WHERE id >= 12')).rows).to.deep.equal([['5']]);
    expect((await server.query('SELECT COUNT(*) FROM p.t')).rows).to.deep.equal([['15']]);
    // No LIMIT: the default query limit (50) still caps; no rows above the last key.
    expect((await server.query('SELECT id FROM p.t WHERE id > 16')).rows).to.deep.equal([]);
  });

  it('a change between two pages is in the next page: inserts, updates and deletes reach the view', async () => {
    const server = await start();
    await mixedTiers(server);
    const page = async (after: number) => (await server.query(`SELECT id, v FROM p.t WHERE id > ${after} ORDER BY id LIMIT 3`)).rows;
    expect(await page(6)).to.deep.equal([['7', 'c7'], ['8', 'c8'], ['9', 'c9']]);
    await server.query("UPDATE p.t SET v = 'new8' WHERE id = 8");
    await server.query('DELETE FROM p.t WHERE id = 9');
    expect(await page(6)).to.deep.equal([['7', 'c7'], ['8', 'new8'], ['10', 'c10']]);
    await flush(server);
    await server.query("INSERT INTO p.t (id, v) VALUES (9, 'again')");
    expect(await page(6)).to.deep.equal([['7', 'c7'], ['8', 'new8'], ['9', 'again']]);
  });

  it('no-dedupe: a key in both tiers comes back twice, in keyset pages as in the general path', async () => {
    const server = await start(['no-dedupe']);
    await mixedTiers(server);
    const everything = (await server.query(`SELECT id, v FROM p.t ${EVERY_ROW} ORDER BY id LIMIT 1000`)).rows;
    // 3 was updated after the flush: its cold and its hot version are both read; 5's tombstone hides only the hot copy.
    expect(everything?.map((row) => Number(row[0]))).to.deep.equal([1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    for (const size of [1, 2, 3, 17]) expect(await keysetPages(server, size), `keyset pages of ${size}`).to.deep.equal(everything);
    expect((await server.query('SELECT id, v FROM p.t WHERE id >= 3 ORDER BY id LIMIT 2')).rows).to.deep.equal([
      ['3', 'c3'],
      ['3', 'hot3'],
    ]);
  });
});
