import { expect } from 'chai';
import { join } from 'node:path';
import { readScope } from '../../src/checker/read-scope.js';
import { createSqlClient, type SqlClient } from '../../src/client/sql-client.js';
import type { StatementResult } from '../../src/client/responses.js';
import { waitFor } from '../../src/util/wait.js';
import { ROOT_PASSWORD, useReferenceServers } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

const payloadOf = (id: number) => `p${id}`;
const scope = { table: 'chaos.t', partition: null };

/**
 * A server holding `ids` (a duplicate stored twice) that answers COUNT(*) and
 * `SELECT id, payload ... [WHERE id >= n] ORDER BY id LIMIT n [OFFSET k]` as SQL would; every
 * statement it was sent is kept.
 */
function fakeServer(ids: number[], payload: (id: number, copy: number) => string = (id) => payloadOf(id)) {
  const stored = [...ids].sort((a, b) => a - b);
  const copyOf = stored.map((id, index) => index - stored.indexOf(id));
  const statements: string[] = [];
  const client = {
    query(sql: string): Promise<StatementResult> {
      statements.push(sql);
      if (sql.startsWith('SELECT COUNT(*)')) return Promise.resolve({ rows: [[String(stored.length)]], row_count: 1 });
      const match = /^SELECT id, payload FROM chaos\.t(?: WHERE id >= (\d+))? ORDER BY id LIMIT (\d+)(?: OFFSET (\d+))?$/.exec(sql);
      if (!match) throw new Error(`fake server: unexpected statement ${sql}`);
      const from = match[1] === undefined ? -Infinity : Number(match[1]);
      const first = stored.findIndex((id) => id >= from);
      const start = (first === -1 ? stored.length : first) + Number(match[3] ?? 0);
      const page = stored.slice(start, start + Number(match[2])).map((id, index) => [String(id), payload(id, copyOf[start + index]!)]);
      return Promise.resolve({ schema: [{ name: 'id', data_type: 'BigInt', index: 0 }, { name: 'payload', data_type: 'Text', index: 1 }], rows: page, row_count: page.length });
    },
  } as unknown as SqlClient;
  return { client, statements };
}

describe('readScope: keyset pages', () => {
  it('reads every row once, in key order, with an explicit LIMIT on every page', async () => {
    const ids = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];
    const server = fakeServer(ids);
    const read = await readScope(server.client, scope, 3, payloadOf);
    expect([...read.ids]).to.deep.equal(ids);
    expect(read).to.deep.include({ countStar: 10, payloadMismatch: [] });
    expect(server.statements.slice(1)).to.deep.equal([
      'SELECT id, payload FROM chaos.t ORDER BY id LIMIT 3',
      // Each page starts at the last id of the one before (`>=`), so a second copy of it is not skipped.
      'SELECT id, payload FROM chaos.t WHERE id >= 3 ORDER BY id LIMIT 3',
      'SELECT id, payload FROM chaos.t WHERE id >= 8 ORDER BY id LIMIT 3',
      'SELECT id, payload FROM chaos.t WHERE id >= 21 ORDER BY id LIMIT 3',
      'SELECT id, payload FROM chaos.t WHERE id >= 55 ORDER BY id LIMIT 3',
    ]);
  });

  it('keeps a duplicate inside a page, and one whose second copy falls on the next page', async () => {
    // Page size 3: [1, 2, 2] [3, 3', 4] ...: 2 twice inside the first page, 3's copy at the second boundary.
    for (const ids of [[1, 2, 2, 3, 4, 5, 6], [1, 2, 3, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 6], [1, 1, 1]]) {
      const read = await readScope(fakeServer(ids).client, scope, 3, payloadOf);
      expect([...read.ids], JSON.stringify(ids)).to.deep.equal(ids);
    }
  });

  it('moves on past an id with more copies than a page holds, counting every copy', async () => {
    const ids = [1, 4, 4, 4, 4, 4, 4, 4, 9, 10];
    const server = fakeServer(ids);
    const read = await readScope(server.client, scope, 2, payloadOf);
    expect([...read.ids]).to.deep.equal(ids);
    expect(server.statements.slice(1)).to.deep.equal([
      'SELECT id, payload FROM chaos.t ORDER BY id LIMIT 2',
      'SELECT id, payload FROM chaos.t WHERE id >= 4 ORDER BY id LIMIT 2',
      // A page of nothing but 4s: the server skips the copies read so far.
      'SELECT id, payload FROM chaos.t WHERE id >= 4 ORDER BY id LIMIT 2 OFFSET 2',
      'SELECT id, payload FROM chaos.t WHERE id >= 4 ORDER BY id LIMIT 2 OFFSET 4',
      'SELECT id, payload FROM chaos.t WHERE id >= 4 ORDER BY id LIMIT 2 OFFSET 6',
      'SELECT id, payload FROM chaos.t WHERE id >= 9 ORDER BY id LIMIT 2',
      'SELECT id, payload FROM chaos.t WHERE id >= 10 ORDER BY id LIMIT 2',
    ]);
  });

  it('checks every copy\'s payload, the copy on the next page too', async () => {
    const ids = [1, 2, 3, 3, 4];
    const read = await readScope(fakeServer(ids, (id, copy) => (copy === 1 ? 'damaged' : payloadOf(id))).client, scope, 3, payloadOf);
    expect([...read.ids]).to.deep.equal(ids);
    expect(read.payloadMismatch).to.deep.equal([3]);
  });

  it('ends on a server that keeps answering full pages, past its COUNT(*)', async () => {
    let pages = 0;
    const client = {
      query: (sql: string) => {
        if (sql.startsWith('SELECT COUNT(*)')) return Promise.resolve({ rows: [['4']], row_count: 1 });
        pages++;
        return Promise.resolve({ rows: [['7', 'p7'], ['8', 'p8']], row_count: 2 });
      },
    } as unknown as SqlClient;
    const read = await readScope(client, scope, 2, payloadOf);
    expect(pages).to.be.within(1, 2 * 4 + 10);
    expect(read.ids.length).to.be.above(2);
  });
});

describe('readScope against the reference server with the no-dedupe defect', function () {
  this.timeout(40_000);
  const tempDir = useTempDir('kalam-read-scope-test-');
  const servers = useReferenceServers();

  it('counts both copies of keys the defect returns twice, wherever the page boundaries fall', async () => {
    const server = await servers.start({ dataDir: join(tempDir(), 'data'), extraArgs: ['--defect', 'no-dedupe'] });
    await server.query('CREATE NAMESPACE chaos; CREATE TABLE chaos.t (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)');
    await server.query(`INSERT INTO chaos.t (id, payload) VALUES ${Array.from({ length: 20 }, (_, index) => `(${index + 1}, 'p${index + 1}')`).join(', ')}`);
    const answer = await server.query('STORAGE FLUSH TABLE chaos.t');
    const jobId = /Job ID: (FL-[0-9a-f]+)/.exec(answer.message ?? '')?.[1];
    await waitFor(async () => (await server.query(`SELECT status FROM system.jobs WHERE job_id = '${jobId}'`)).rows?.[0]?.[0] === 'completed' || undefined, { timeoutMs: 10_000, what: 'flush' });
    // A new hot version of flushed rows: with no-dedupe, the cold and the hot copy are both read.
    // (An UPDATE that changes nothing makes no new version: change it, then change it back.)
    for (const id of [3, 4, 10, 20]) await server.query(`UPDATE chaos.t SET payload = 'x' WHERE id = ${id}; UPDATE chaos.t SET payload = 'p${id}' WHERE id = ${id}`);
    const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials: { user: 'root', password: ROOT_PASSWORD, jwtSecret: 'unused' } });
    try {
      const expected = [...Array.from({ length: 20 }, (_, index) => index + 1), 3, 4, 10, 20].sort((a, b) => a - b);
      for (const pageSize of [1, 2, 3, 4, 10, 1000]) {
        const read = await readScope(client, scope, pageSize, payloadOf);
        expect([...read.ids], `pages of ${pageSize}`).to.deep.equal(expected);
        expect(read).to.deep.include({ countStar: 24, payloadMismatch: [] });
      }
    } finally {
      await client.close();
    }
  });
});
