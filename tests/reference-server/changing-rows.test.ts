import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../src/util/wait.js';
import { idsOf, useReferenceServers, type RunningServer, type SqlResponse } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

/** What the real kalamdb-server (HEAD 66dc492b) answers; the measurements are in findings/changing-rows.md. */

const TABLE = 'CREATE NAMESPACE p; CREATE TABLE p.t (id BIGINT PRIMARY KEY, v TEXT, n BIGINT)';

function expectError(response: SqlResponse, code: string, message: string): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(400);
  expect(response.body.status).to.equal('error');
  expect(response.body.error?.code).to.equal(code);
  expect(response.body.error?.message).to.equal(message);
}

async function flush(server: RunningServer, table = 'p.t'): Promise<void> {
  const answer = await server.query(`STORAGE FLUSH TABLE ${table}`);
  const jobId = /Job ID: (FL-[0-9a-f]+)/.exec(answer.message ?? '')?.[1];
  if (!jobId) throw new Error(`no flush job: ${answer.message}`);
  await waitFor(async () => (await server.query(`SELECT status FROM system.jobs WHERE job_id = '${jobId}'`)).rows?.[0]?.[0] === 'completed' || undefined, { timeoutMs: 10_000, what: `flush job ${jobId}` });
}

async function lastJobMessage(server: RunningServer): Promise<string> {
  const jobs = await server.query("SELECT message, created_at FROM system.jobs WHERE job_type = 'flush' ORDER BY created_at DESC LIMIT 1");
  return (JSON.parse(String(jobs.rows?.[0]?.[0])) as { message: string }).message;
}

describe('reference server: changing rows, DDL and users as the binary answers them (real process)', function () {
  this.timeout(40_000);
  const tempDir = useTempDir('kalam-changing-rows-test-');
  const servers = useReferenceServers();
  const dataDir = () => join(tempDir(), 'data');
  const start = () => servers.start({ dataDir: dataDir() });

  async function restartAfterSigkill(server: RunningServer): Promise<RunningServer> {
    server.kill('SIGKILL');
    expect((await server.waitExit()).signal).to.equal('SIGKILL');
    return start();
  }

  it('INSERT conflicts: repeated key in the batch, key hot, key only in a segment; nothing of the failed statement remains', async () => {
    const server = await start();
    await server.query(TABLE);
    const prefix = 'Statement 1 failed: Execution error: Raft error: Internal error: Provider error: Execution error: Failed to insert batch: Already exists: Primary key violation: ';
    expectError(await server.sql("INSERT INTO p.t (id, v) VALUES (1, 'a'), (2, 'b'), (1, 'c')"), 'SQL_EXECUTION_ERROR', `${prefix}value '1' appears multiple times in the insert batch for column 'id'`);
    expect((await server.query('SELECT * FROM p.t')).rows).to.deep.equal([]);
    await server.query("INSERT INTO p.t (id, v) VALUES (1, 'a'), (2, 'b')");
    expectError(await server.sql("INSERT INTO p.t (id, v) VALUES (3, 'c'), (2, 'bb')"), 'SQL_EXECUTION_ERROR', `${prefix}value '2' already exists in column 'id'`);
    await flush(server);
    expectError(await server.sql("INSERT INTO p.t (id, v) VALUES (4, 'd'), (1, 'aa')"), 'SQL_EXECUTION_ERROR', `${prefix}value '1' already exists in column 'id'`);
    expect(idsOf(await server.query('SELECT id FROM p.t'))).to.deep.equal([1, 2]);
  });

  it('UPDATE: arithmetic mixed with literals, unchanged rows not counted, errors; durable through SIGKILL', async () => {
    const first = await start();
    await first.query(TABLE);
    await first.query("INSERT INTO p.t (id, v, n) VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', NULL)");
    await flush(first);
    const updated = await first.query("UPDATE p.t SET n = n + 1, v = 'x' WHERE id = 1");
    expect(updated).to.include({ row_count: 1, message: 'Updated 1 row(s)' });
    await first.query('UPDATE p.t SET n = n - 3 WHERE id = 2');
    await first.query('UPDATE p.t SET n = 2 * n WHERE id = 2');
    expect(await first.query("UPDATE p.t SET v = 'b' WHERE id = 2")).to.include({ row_count: 0, message: 'Updated 0 row(s)' });
    expect(await first.query('UPDATE p.t SET n = n + 1 WHERE id = 3')).to.include({ row_count: 0, message: 'Updated 0 row(s)' });
    expect(await first.query("UPDATE p.t SET v = 'q' WHERE id = 99")).to.include({ row_count: 0, message: 'Updated 0 row(s)' });
    expectError(await first.sql('UPDATE p.t SET v = v + 1 WHERE id = 1'), 'SQL_EXECUTION_ERROR', 'Statement 1 failed: Execution error: Error during planning: Cannot coerce arithmetic expression Utf8 + Int64 to valid types');
    expectError(await first.sql('UPDATE p.t SET id = 7 WHERE id = 1'), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Already exists: UPDATE operation on table 'p.t'\ncaused by\nError during planning: UPDATE cannot modify primary key column 'id'");
    expectError(await first.sql('UPDATE p.t SET nope = 1 WHERE id = 1'), 'SQL_EXECUTION_ERROR', 'Statement 1 failed: Invalid operation: Schema error: No field named nope. Valid fields are p.t.id, p.t.v, p.t.n, p.t._seq, p.t._deleted.');
    expectError(await first.sql("UPDATE p.t SET v = 'z'"), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Execution error: UPDATE operation on table 'p.t'\ncaused by\nError during planning: UPDATE requires a WHERE clause");
    const expected = [
      ['1', 'x', '11'],
      ['2', 'b', '34'],
      ['3', 'c', null],
    ];
    expect((await first.query('SELECT id, v, n FROM p.t')).rows).to.deep.equal(expected);
    const second = await restartAfterSigkill(first);
    expect((await second.query('SELECT id, v, n FROM p.t')).rows).to.deep.equal(expected);
  });

  it('DELETE: tombstones keep the deleted values, `_deleted = true` reads them hot and flushed, and deleted keys never come back', async () => {
    const first = await start();
    await first.query(TABLE);
    await first.query("INSERT INTO p.t (id, v, n) VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)");
    await flush(first);
    expect(await first.query('DELETE FROM p.t WHERE id = 1')).to.include({ row_count: 1, message: 'Deleted 1 row(s)' });
    expect(await first.query('DELETE FROM p.t WHERE id = 1')).to.include({ row_count: 0, message: 'Deleted 0 row(s)' });
    expect(await first.query('DELETE FROM p.t WHERE id = 99')).to.include({ row_count: 0, message: 'Deleted 0 row(s)' });
    const tombstones = await first.query('SELECT * FROM p.t WHERE _deleted = true');
    expect(tombstones.rows!.map((row) => [row[0], row[1], row[2], row[4]])).to.deep.equal([['1', 'a', '10', true]]);
    // A primary-key equality takes the binary's point-lookup path, which never sees tombstones.
    expect((await first.query('SELECT id FROM p.t WHERE _deleted = true AND id = 1')).rows).to.deep.equal([]);
    expect(idsOf(await first.query('SELECT id FROM p.t WHERE NOT _deleted = false'))).to.deep.equal([1]);
    expect((await first.query('SELECT COUNT(*) FROM p.t WHERE _deleted = true')).rows).to.deep.equal([['1']]);

    // Only tombstones hot: no file, and they stay hot (the binary: "(0 rows, 0 files)").
    await flush(first);
    expect(await lastJobMessage(first)).to.equal('Flushed p:t successfully (0 rows, 0 files)');
    expect(idsOf(await first.query('SELECT id FROM p.t WHERE _deleted = true'))).to.deep.equal([1]);

    // A flush with live rows: the tombstone goes into the segment, so key 1 does not come back.
    await first.query('DELETE FROM p.t WHERE id = 2');
    await first.query("INSERT INTO p.t (id, v) VALUES (8, 'h')");
    await flush(first);
    expect(await lastJobMessage(first)).to.equal('Flushed p:t successfully (1 rows, 1 files)');
    expect(idsOf(await first.query('SELECT id FROM p.t'))).to.deep.equal([3, 8]);
    expect(idsOf(await first.query('SELECT id FROM p.t WHERE _deleted = true'))).to.deep.equal([1, 2]);
    await first.query("INSERT INTO p.t (id, v) VALUES (9, 'i')");
    await flush(first);

    const second = await restartAfterSigkill(first);
    expect(idsOf(await second.query('SELECT id FROM p.t'))).to.deep.equal([3, 8, 9]);
    expect(idsOf(await second.query('SELECT id FROM p.t WHERE _deleted = true'))).to.deep.equal([1, 2]);
    expect((await second.query('SELECT id, _deleted FROM p.t')).rows).to.deep.equal([
      ['3', false],
      ['8', false],
      ['9', false],
    ]);
  });

  it('a flush when every row is deleted removes the segments, as the binary does; tombstones stay hot', async () => {
    const first = await start();
    await first.query(TABLE);
    await first.query("INSERT INTO p.t (id, v) VALUES (1, 'a'), (2, 'b')");
    await flush(first);
    await first.query('DELETE FROM p.t WHERE id > 0');
    await flush(first);
    expect(await lastJobMessage(first)).to.equal('Flushed p:t successfully (0 rows, 0 files)');
    const dir = join(dataDir(), 'storage', 'p', 't');
    expect(await readdir(dir)).to.deep.equal(['manifest.json']);
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).to.deep.include({ segments: [], last_sequence_number: 0, version: 3 });
    expect(idsOf(await first.query('SELECT id FROM p.t WHERE _deleted = true'))).to.deep.equal([1, 2]);
    await first.query("INSERT INTO p.t (id, v) VALUES (3, 'c')");
    await flush(first);
    expect((await readdir(dir)).sort()).to.deep.equal(['batch-0.parquet', 'manifest.json']);
    const second = await restartAfterSigkill(first);
    expect(idsOf(await second.query('SELECT id FROM p.t'))).to.deep.equal([3]);
    expect(idsOf(await second.query('SELECT id FROM p.t WHERE _deleted = true'))).to.deep.equal([1, 2]);
  });

  it('ALTER TABLE ADD COLUMN: version bump, column after _seq/_deleted, old rows NULL, DEFAULT for new rows; durable', async () => {
    const first = await start();
    await first.query('CREATE NAMESPACE p; CREATE TABLE p.t (id BIGINT PRIMARY KEY, v TEXT)');
    await first.query("INSERT INTO p.t (id, v) VALUES (1, 'a')");
    await flush(first);
    await first.query("INSERT INTO p.t (id, v) VALUES (2, 'b')");
    expect(await first.query('ALTER TABLE p.t ADD COLUMN c TEXT')).to.include({ row_count: 0, message: 'Table p.t altered successfully: ADD COLUMN c TEXT (version 2)' });
    expect((await first.query('ALTER TABLE p.t ADD d BIGINT DEFAULT 7')).message).to.equal('Table p.t altered successfully: ADD COLUMN d BIGINT (version 3)');
    expectError(await first.sql('ALTER TABLE p.t ADD COLUMN c TEXT'), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Invalid operation: Column 'c' already exists");
    expectError(await first.sql('ALTER TABLE p.t ADD COLUMN _seq BIGINT'), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Invalid operation: Cannot add column '_seq': reserved system column name");
    expectError(await first.sql('ALTER TABLE p.nope ADD COLUMN c TEXT'), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Not found: Table 'nope' not found in namespace 'p'");
    await first.query("INSERT INTO p.t (id, v, c) VALUES (3, 'c', 'cc')");
    await flush(first);

    const check = async (server: RunningServer) => {
      const all = await server.query('SELECT * FROM p.t');
      expect(all.schema!.map((column) => column.name)).to.deep.equal(['id', 'v', '_seq', '_deleted', 'c', 'd']);
      expect(all.rows!.map((row) => [row[0], row[1], row[4], row[5]])).to.deep.equal([
        ['1', 'a', null, null],
        ['2', 'b', null, null],
        ['3', 'c', 'cc', '7'],
      ]);
      expect((await server.query("SELECT version FROM system.tables WHERE table_name = 't'")).rows).to.deep.equal([['3']]);
      const described = await server.query('DESCRIBE TABLE p.t');
      expect(described.schema!.map((column) => column.name)).to.deep.equal(['column_name', 'ordinal_position', 'column_id', 'data_type', 'is_nullable', 'is_primary_key', 'column_default', 'column_comment', 'schema_version']);
      expect(described.rows).to.deep.equal([
        ['id', 1, '1', 'BIGINT', false, true, null, null, 1],
        ['v', 2, '2', 'TEXT', true, false, null, null, 1],
        ['_seq', 3, '3', 'BIGINT', false, false, null, 'Version ID (MVCC) with embedded timestamp', 1],
        ['_deleted', 4, '4', 'BOOLEAN', false, false, 'FALSE', 'Soft delete flag', 1],
        ['c', 5, '5', 'TEXT', true, false, null, null, 1],
        ['d', 6, '6', 'BIGINT', true, false, '7', null, 1],
      ]);
    };
    await check(first);
    await check(await restartAfterSigkill(first));
  });

  it('ALTER TABLE ADD COLUMN ... NOT NULL on a table with rows makes every scan fail, as in the binary', async () => {
    const server = await start();
    await server.query(TABLE);
    await server.query("INSERT INTO p.t (id, v) VALUES (1, 'a')");
    expect((await server.query('ALTER TABLE p.t ADD COLUMN k BIGINT NOT NULL')).message).to.equal('Table p.t altered successfully: ADD COLUMN k BIGINT (version 2)');
    expectError(
      await server.sql('SELECT * FROM p.t WHERE id = 1'),
      'SQL_EXECUTION_ERROR',
      "Statement 1 failed: Execution error: Execution error: shared_table_scan failed: Other error: Arrow error - Failed to create projected RecordBatch: Invalid argument error: Column 'k' is declared as non-nullable but contains null values",
    );
  });

  it('DROP TABLE: cleanup job, storage gone, later SELECT/INSERT errors, IF EXISTS, recreate starts empty; durable', async () => {
    const first = await start();
    await first.query(TABLE);
    await first.query("INSERT INTO p.t (id, v) VALUES (1, 'a')");
    await flush(first);
    expect(existsSync(join(dataDir(), 'storage', 'p', 't'))).to.equal(true);
    const dropped = await first.query('DROP TABLE p.t');
    expect(dropped.message).to.match(/^Table p\.t dropped successfully\. Cleanup job: CL-[0-9a-f]{12}$/);
    expect(existsSync(join(dataDir(), 'storage', 'p', 't'))).to.equal(false);
    const cleanup = await first.query("SELECT job_type, status, parameters, message FROM system.jobs WHERE job_type = 'cleanup'");
    expect(cleanup.rows![0]!.slice(0, 2)).to.deep.equal(['cleanup', 'completed']);
    expect(JSON.parse(String(cleanup.rows![0]![2]))).to.deep.include({ operation: 'drop_table', table_id: 'p.t', table_type: 'Shared' });
    expect(JSON.parse(String(cleanup.rows![0]![3]))).to.deep.equal({ message: 'Cleaned up table p:t successfully - 0 rows deleted, 0 bytes freed, 1 cache entries invalidated' });

    const notFound = "Table not found: Error during planning: table 'kalam.p.t' not found";
    expectError(await first.sql('SELECT * FROM p.t'), 'SQL_EXECUTION_ERROR', `Statement 1 failed: ${notFound}`);
    expectError(await first.sql("INSERT INTO p.t (id, v) VALUES (2, 'b')"), 'SQL_EXECUTION_ERROR', `Statement 1 failed: ${notFound}`);
    expectError(await first.sql('DROP TABLE p.t'), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Not found: Table 't' not found in namespace 'p'");
    expect((await first.query('DROP TABLE IF EXISTS p.never')).message).to.equal('Table p.never does not exist (skipped)');
    expect((await first.query("SELECT table_name FROM system.tables WHERE namespace_id = 'p'")).rows).to.deep.equal([]);

    const second = await restartAfterSigkill(first);
    expectError(await second.sql('SELECT * FROM p.t'), 'SQL_EXECUTION_ERROR', `Statement 1 failed: ${notFound}`);
    await second.query('CREATE TABLE p.t (id BIGINT PRIMARY KEY, w BIGINT)');
    const fresh = await second.query('SELECT * FROM p.t');
    expect(fresh.schema!.map((column) => column.name)).to.deep.equal(['id', 'w', '_seq', '_deleted']);
    expect(fresh.rows).to.deep.equal([]);
    await second.query('INSERT INTO p.t (id, w) VALUES (1, 5)');
    const third = await restartAfterSigkill(second);
    expect((await third.query('SELECT id, w FROM p.t')).rows).to.deep.equal([['1', '5']]);
  });

  it('a table created again after DROP NAMESPACE CASCADE starts empty, also after a restart', async () => {
    const first = await start();
    await first.query(TABLE);
    await first.query("INSERT INTO p.t (id, v) VALUES (1, 'a')");
    await flush(first);
    await first.query('DROP NAMESPACE p CASCADE');
    await first.query(TABLE);
    expect((await first.query('SELECT * FROM p.t')).rows).to.deep.equal([]);
    const second = await restartAfterSigkill(first);
    expect((await second.query('SELECT * FROM p.t')).rows).to.deep.equal([]);
  });

  it('CREATE USER / DROP USER: answers, errors, system.users with deleted_at; durable', async () => {
    const first = await start();
    expect(await first.query("CREATE USER u WITH PASSWORD 'password1' ROLE user")).to.include({ row_count: 0, message: "User 'u' created" });
    await first.query("CREATE USER S4 WITH PASSWORD 'password1' ROLE ADMIN");
    expectError(await first.sql("CREATE USER u WITH PASSWORD 'password1' ROLE user"), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Already exists: User 'u' already exists");
    expectError(await first.sql("CREATE USER x WITH PASSWORD 'password1' ROLE bogus"), 'INVALID_SQL', "Invalid role 'bogus'. Hint: Valid roles: dba, admin, developer, analyst, viewer, user, service, system");
    expectError(await first.sql("CREATE USER x WITH PASSWORD 'password1'"), 'INVALID_SQL', 'Expected ROLE keyword. Hint: ROLE is required: ... ROLE dba');
    expect((await first.query('DROP USER u')).message).to.equal("User 'u' dropped (soft delete)");
    expect((await first.query('DROP USER u')).message).to.equal("User 'u' dropped (soft delete)");
    expect((await first.query('DROP USER IF EXISTS nobody')).message).to.equal("User 'nobody' does not exist (skipped)");
    expectError(await first.sql('DROP USER nobody'), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Not found: User 'nobody' not found");
    expectError(await first.sql("CREATE USER u WITH PASSWORD 'password1' ROLE user"), 'SQL_EXECUTION_ERROR', "Statement 1 failed: Already exists: User 'u' already exists");

    const check = async (server: RunningServer) => {
      const users = await server.query('SELECT user_id, role, auth_type, storage_id, deleted_at FROM system.users');
      expect(users.rows!.map((row) => row.slice(0, 4))).to.deep.equal([
        ['S4', 'dba', 'Password', null],
        ['root', 'system', 'Internal', 'local'],
        ['u', 'user', 'Password', null],
      ]);
      expect(users.rows!.map((row) => typeof row[4])).to.deep.equal(['object', 'object', 'number']);
    };
    await check(first);
    await check(await restartAfterSigkill(first));
  });
});
