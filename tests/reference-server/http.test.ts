import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../../src/util/wait.js';
import { basicHeader, idsOf, ROOT_PASSWORD, useReferenceServers, type RunningServer, type SqlResponse } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

const SETUP = [
  'CREATE NAMESPACE IF NOT EXISTS chaos',
  "CREATE TABLE IF NOT EXISTS chaos.shared_t (id BIGINT PRIMARY KEY, payload TEXT) WITH (TYPE='SHARED')",
  "CREATE TABLE IF NOT EXISTS chaos.user_t (id BIGINT PRIMARY KEY, payload TEXT) WITH (TYPE='USER', FLUSH_POLICY='rows:100')",
].join('; ');

function values(from: number, to: number): string {
  const rows: string[] = [];
  for (let id = from; id <= to; id++) rows.push(`(${id}, 'p${id}')`);
  return rows.join(', ');
}

function expectSqlError(response: SqlResponse, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.body.status).to.equal('error');
  expect(response.body.results).to.deep.equal([]);
  expect(response.body.took).to.be.a('number');
  expect(response.body.error?.code).to.equal(code);
  expect(response.body.error?.message).to.be.a('string').and.not.equal('');
  expect(response.body.error).to.have.property('details');
}

describe('reference server HTTP API (real process)', function () {
  this.timeout(30_000);
  const tempDir = useTempDir('kalam-http-test-');
  const servers = useReferenceServers();

  const start = (extraArgs: string[] = []): Promise<RunningServer> => servers.start({ dataDir: join(tempDir(), 'data'), extraArgs });

  it('GET /health answers with status, version and api_version', async () => {
    const server = await start();
    const health = await server.health();
    expect(health.status).to.equal(200);
    expect(health.body).to.include({ status: 'healthy', api_version: 'v1' });
    expect(health.body.version).to.be.a('string').and.not.equal('');
    expect(health.body.build_date).to.be.a('string');
  });

  it('login: right password gives a bearer token, wrong password 401', async () => {
    const server = await start();
    const good = await server.post('/v1/api/auth/login', { user: 'root', password: ROOT_PASSWORD });
    expect(good.status).to.equal(200);
    expect(good.body.access_token).to.be.a('string').and.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(good.body.user).to.include({ username: 'root' });

    const bad = await server.post('/v1/api/auth/login', { user: 'root', password: 'wrong' });
    expect(bad.status).to.equal(401);
    expect(bad.body.access_token).to.equal(undefined);
    const otherUser = await server.post('/v1/api/auth/login', { user: 'alice', password: ROOT_PASSWORD });
    expect(otherUser.status).to.equal(401);
  });

  it('an account CREATE USER made logs in with its password, acts with its role, and not once dropped (also after a restart)', async () => {
    let server = await start();
    await server.query("CREATE USER alice WITH PASSWORD 'alice-secret-1' ROLE user");
    const login = async () => server.post('/v1/api/auth/login', { user: 'alice', password: 'alice-secret-1' });
    const granted = await login();
    expect(granted.status, JSON.stringify(granted.body)).to.equal(200);
    expect(granted.body.user).to.include({ username: 'alice', role: 'user' });
    expect((await server.post('/v1/api/auth/login', { user: 'alice', password: 'wrong' })).status).to.equal(401);
    const denied = await server.sql('CREATE NAMESPACE mine', { authorization: `Bearer ${granted.body.access_token}` });
    expectSqlError(denied, 403, 'PERMISSION_DENIED');
    expect(denied.body.error?.message).to.equal('Admin privileges (DBA or System role) required for namespace operations');

    server.kill('SIGKILL');
    await server.waitExit();
    server = await start();
    expect((await login()).status).to.equal(200);
    await server.query('DROP USER alice');
    expect((await login()).status).to.equal(401);
    expectSqlError(await server.sql('SELECT 1', { authorization: `Bearer ${granted.body.access_token}` }), 401, 'UNAUTHORIZED');
  });

  it('SQL without auth (401 MISSING_AUTHORIZATION, as kalamdb-server), with a bad token or a refresh token → 401 UNAUTHORIZED', async () => {
    const server = await start();
    expectSqlError(await server.sql('SELECT 1', { authorization: null }), 401, 'MISSING_AUTHORIZATION');
    expectSqlError(await server.sql('SELECT 1', { authorization: 'Bearer not.a.token' }), 401, 'UNAUTHORIZED');
    const login = await server.post('/v1/api/auth/login', { user: 'root', password: ROOT_PASSWORD });
    expectSqlError(await server.sql('SELECT 1', { authorization: `Bearer ${login.body.refresh_token}` }), 401, 'UNAUTHORIZED');
    const ok = await server.sql('SELECT 1', { authorization: `Bearer ${login.body.access_token}` });
    expect(ok.status).to.equal(200);
    expect(ok.body.results?.[0]?.rows).to.deep.equal([['1']]);
  });

  it('error codes: INVALID_SQL, EMPTY_SQL, TABLE_NOT_FOUND, BATCH_PARSE_ERROR', async () => {
    const server = await start();
    expectSqlError(await server.sql('SELEC 1'), 400, 'INVALID_SQL');
    expectSqlError(await server.sql("SELECT 'unterminated"), 400, 'INVALID_SQL');
    expectSqlError(await server.sql('   '), 400, 'EMPTY_SQL');
    expectSqlError(await server.sql(' ; -- nothing'), 400, 'EMPTY_SQL');
    expectSqlError(await server.sql('SELECT * FROM chaos.nope'), 400, 'SQL_EXECUTION_ERROR');
    expectSqlError(await server.sql('SELECT * FROM system.nope'), 400, 'SQL_EXECUTION_ERROR');
    expectSqlError(await server.sql('SELECT 1; SELEC 2'), 400, 'BATCH_PARSE_ERROR');
    const notJson = await server.post('/v1/api/sql', 'x', { authorization: `Bearer ${await server.token()}` });
    expect(notJson.status).to.equal(400);
  });

  it('duplicate primary key → SQL_EXECUTION_ERROR, across statements and within one INSERT; nothing of a failed INSERT lands', async () => {
    const server = await start();
    await server.query(SETUP);
    await server.query("INSERT INTO chaos.shared_t (id, payload) VALUES (1, 'one')");
    expectSqlError(await server.sql("INSERT INTO chaos.shared_t (id, payload) VALUES (1, 'again')"), 400, 'SQL_EXECUTION_ERROR');
    const within = await server.sql("INSERT INTO chaos.shared_t (id, payload) VALUES (2, 'a'), (3, 'b'), (2, 'c')");
    expectSqlError(within, 400, 'SQL_EXECUTION_ERROR');
    expect(within.body.error?.message).to.match(/duplicate|primary key/i);
    const rows = await server.query('SELECT id, payload FROM chaos.shared_t');
    expect(rows.rows).to.deep.equal([['1', 'one']]);
  });

  it('answers and errors word for word as kalamdb-server 0.4.3-rc.4 gives them (measured)', async () => {
    const server = await start();
    const message = async (sql: string) => (await server.query(sql)).message;
    expect(await message('CREATE NAMESPACE chaos')).to.equal("Namespace 'chaos' created successfully");
    expect(await message('CREATE NAMESPACE IF NOT EXISTS chaos')).to.equal("Namespace 'chaos' already exists");
    expect(await message("CREATE TABLE chaos.s (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE='SHARED')")).to.equal('CREATE TABLE via Raft consensus: shared table chaos.s created successfully');
    expect(await message("CREATE TABLE IF NOT EXISTS chaos.s (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE='SHARED')")).to.equal('CREATE TABLE via Raft consensus: shared table chaos.s created successfully');
    expect(await message("CREATE TABLE chaos.u (id BIGINT PRIMARY KEY, v TEXT) WITH (TYPE='USER')")).to.equal('CREATE TABLE via Raft consensus: user table chaos.u created successfully');
    expect(await message("INSERT INTO chaos.s (id, v) VALUES (1, 'a'), (2, 'b')")).to.equal('Inserted 2 row(s)');
    expect((await server.sql('CREATE NAMESPACE chaos')).body.error).to.deep.equal({
      code: 'SQL_EXECUTION_ERROR',
      message: "Statement 1 failed: Already exists: Namespace 'chaos' already exists",
      details: 'CREATE NAMESPACE chaos',
    });
    expect((await server.sql("CREATE NAMESPACE n2; INSERT INTO chaos.s (id, v) VALUES (1, 'a')")).body.error).to.deep.equal({
      code: 'SQL_EXECUTION_ERROR',
      message:
        "Statement 2 failed: Execution error: Raft error: Internal error: Provider error: Execution error: Failed to insert batch: Already exists: Primary key violation: value '1' already exists in column 'id'",
      details: "INSERT INTO chaos.s (id, v) VALUES (1, 'a')",
    });
    for (const sql of ['SELECT * FROM chaos.missing', 'INSERT INTO chaos.missing (id) VALUES (1)']) {
      const missing = await server.sql(sql);
      expect(missing.status).to.equal(400);
      expect(missing.body.error).to.deep.equal({ code: 'SQL_EXECUTION_ERROR', message: "Statement 1 failed: Table not found: Error during planning: table 'kalam.chaos.missing' not found", details: sql });
    }
    expect(await message('STORAGE FLUSH TABLE chaos.u')).to.equal("Storage flush skipped: no pending writes for table 'chaos.u'");
    const started = await message('STORAGE FLUSH TABLE chaos.s');
    expect(started).to.match(/^Storage flush started for table 'chaos\.s'\. Job ID: FL-[0-9a-f]{12}$/);
    const jobId = started!.slice(started!.indexOf('FL-'));
    const job = await waitFor(
      async () => {
        const row = (await server.query(`SELECT job_id, status, parameters, message FROM system.jobs WHERE job_id = '${jobId}'`)).rows?.[0];
        return row?.[1] === 'completed' ? row : undefined;
      },
      { what: `flush job ${jobId} to complete`, timeoutMs: 10_000, intervalMs: 10 },
    );
    expect(job).to.deep.equal([jobId, 'completed', '{"flush_threshold":null,"table_id":"chaos.s","table_type":"Shared"}', '{"message":"Flushed chaos:s successfully (2 rows, 1 files)"}']);
    const manifest = await readFile(join(server.dataDir!, 'storage', 'chaos', 's', 'manifest.json'), 'utf8');
    expect(manifest).to.match(/^\{"table_id":"chaos\.s","user_id":null,"version":2,"created_at":\d+,"updated_at":\d+,"segments":\[\{"min_seq":\d+,"max_seq":\d+,"row_count":2,"size_bytes":\d+,"created_at":\d+,"id":"batch-0\.parquet","path":"batch-0\.parquet","column_stats":\{"1":\{"min":\{"Int64":"1"\},"max":\{"Int64":"2"\},"null_count":0\}\},"schema_version":1,"status":"committed"\}\],"last_sequence_number":0,"files":null,"vector_indexes":\{\}\}$/);
    expect(await message('STORAGE FLUSH TABLE chaos.s')).to.equal("Storage flush skipped: no pending writes for table 'chaos.s'");
  });

  it('result shape: INSERT has row_count and message but no schema/rows; empty SELECT has schema and rows: []', async () => {
    const server = await start();
    const setup = await server.sql(SETUP);
    expect(setup.status).to.equal(200);
    expect(setup.body.status).to.equal('success');
    expect(setup.body.took).to.be.a('number');
    expect(setup.body.results).to.have.length(3);

    const empty = await server.query('SELECT id, payload FROM chaos.shared_t');
    // The binary at HEAD answers an empty SELECT with `"rows": []` (findings/changing-rows.md).
    expect(empty.rows).to.deep.equal([]);
    expect(empty.row_count).to.equal(0);
    // Flags as kalamdb-server 0.4.3 gives them: a primary key is pk, nn, uq; a nullable column has none.
    expect(empty.schema).to.deep.equal([
      { name: 'id', data_type: 'BigInt', index: 0, flags: ['pk', 'nn', 'uq'] },
      { name: 'payload', data_type: 'Text', index: 1 },
    ]);

    const insert = await server.query("INSERT INTO chaos.shared_t (id, payload) VALUES (1, 'it''s'), (2, 'x;y')");
    expect(insert).to.not.have.property('schema');
    expect(insert).to.not.have.property('rows');
    expect(insert.row_count).to.equal(2);
    expect(insert.message).to.be.a('string');

    const select = await server.query('SELECT * FROM chaos.shared_t');
    expect(select.row_count).to.equal(2);
    // SELECT * ends with _seq and _deleted; BigInt values are decimal strings (kalamdb-server 0.4.3).
    expect(select.schema!.map((column) => column.name)).to.deep.equal(['id', 'payload', '_seq', '_deleted']);
    expect(select.rows!.map((row) => [row[0], row[1], typeof row[2], row[3]])).to.deep.equal([
      ['1', "it's", 'string', false],
      ['2', 'x;y', 'string', false],
    ]);
    const count = await server.query('SELECT COUNT(*) FROM chaos.shared_t');
    expect(count.rows).to.deep.equal([['2']]);
    expect(count.row_count).to.equal(1);
  });

  it('SELECT without LIMIT returns at most 50 rows; LIMIT 5000 is capped at 1000', async () => {
    const server = await start();
    await server.query(SETUP);
    const inserted = await server.query(`INSERT INTO chaos.shared_t (id, payload) VALUES ${values(1, 1200)}`);
    expect(inserted.row_count).to.equal(1200);
    expect((await server.query('SELECT COUNT(*) FROM chaos.shared_t')).rows).to.deep.equal([['1200']]);

    const defaulted = await server.query('SELECT id FROM chaos.shared_t');
    expect(defaulted.row_count).to.equal(50);
    expect(idsOf(defaulted)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));

    const capped = await server.query('SELECT id FROM chaos.shared_t LIMIT 5000');
    expect(capped.row_count).to.equal(1000);
    expect(capped.rows).to.have.length(1000);

    const paged = await server.query('SELECT id FROM chaos.shared_t WHERE id >= 5 ORDER BY id DESC LIMIT 3 OFFSET 2');
    expect(idsOf(paged)).to.deep.equal([1198, 1197, 1196]);
  });

  it('USER tables: one partition per user; EXECUTE AS USER echoes as_user', async () => {
    const server = await start();
    await server.query(SETUP);
    const insert = await server.query("EXECUTE AS USER 'alice' (INSERT INTO chaos.user_t (id, payload) VALUES (1, 'a1'), (2, 'a2'))");
    expect(insert.as_user).to.equal('alice');
    expect(insert.row_count).to.equal(2);

    const bob = await server.query("EXECUTE AS USER 'bob' (SELECT id FROM chaos.user_t)");
    expect(bob.as_user).to.equal('bob');
    expect(bob.row_count).to.equal(0);
    expect(bob.rows).to.deep.equal([]);
    const bobCount = await server.query("EXECUTE AS USER 'bob' (SELECT COUNT(*) FROM chaos.user_t)");
    expect(bobCount.rows).to.deep.equal([['0']]);

    // The same key in another partition is no duplicate.
    const bobInsert = await server.query("EXECUTE AS USER 'bob' (INSERT INTO chaos.user_t (id, payload) VALUES (1, 'b1'))");
    expect(bobInsert.row_count).to.equal(1);

    const alice = await server.query("EXECUTE AS USER 'alice' (SELECT id, payload FROM chaos.user_t)");
    expect(alice.as_user).to.equal('alice');
    expect(alice.rows).to.deep.equal([
      ['1', 'a1'],
      ['2', 'a2'],
    ]);
    expect((await server.query("EXECUTE AS USER 'bob' (SELECT id, payload FROM chaos.user_t)")).rows).to.deep.equal([['1', 'b1']]);
    // root's own partition holds none of them.
    expect((await server.query('SELECT COUNT(*) FROM chaos.user_t')).rows).to.deep.equal([['0']]);
    // A plain statement names its own user (kalamdb-server 0.4.3).
    expect(await server.query('SELECT COUNT(*) FROM chaos.user_t')).to.have.property('as_user', 'root');
  });

  it('system.tables and system.namespaces list what was created, with stable created_at', async () => {
    const server = await start();
    const before = Date.now();
    await server.query(SETUP);
    const after = Date.now();

    const namespaces = await server.query('SELECT namespace_id, name, created_at, table_count FROM system.namespaces');
    expect(namespaces.rows).to.have.length(1);
    const [namespaceRow] = namespaces.rows!;
    expect(namespaceRow!.slice(0, 2)).to.deep.equal(['chaos', 'chaos']);
    expect(namespaceRow![3]).to.equal(2);
    const namespaceCreated = namespaceRow![2] as number;
    expect(namespaceCreated).to.be.within(before - 1, after + 1);

    // kalamdb-server 0.4.3: no table_id column, table_type lowercase, the flush policy inside options, times in microseconds.
    const tablesSql = 'SELECT table_name, namespace_id, table_type, options, created_at FROM system.tables ORDER BY table_name';
    const tables = await server.query(tablesSql);
    expect(tables.rows!.map((row) => [...row.slice(0, 3), (JSON.parse(row[3] as string) as { flush_policy: unknown }).flush_policy])).to.deep.equal([
      ['shared_t', 'chaos', 'shared', null],
      ['user_t', 'chaos', 'user', 'rows:100'],
    ]);
    for (const row of tables.rows!) expect((row[4] as number) / 1000).to.be.within(before - 1, after + 1);
    const all = await server.query('SELECT * FROM system.tables');
    expect(all.schema!.map((column) => column.name)).to.deep.equal(['namespace_id', 'table_name', 'table_type', 'storage_id', 'version', 'options', 'comment', 'updated_at', 'created_at']);

    // Re-running the IF NOT EXISTS setup changes nothing, created_at included.
    await server.query(SETUP);
    expect((await server.query(tablesSql)).rows).to.deep.equal(tables.rows);
    expect((await server.query('SELECT namespace_id, name, created_at, table_count FROM system.namespaces')).rows).to.deep.equal(namespaces.rows);

    const columns = await server.query('SELECT * FROM chaos.user_t LIMIT 1');
    expect(columns.schema!.map((column) => [column.name, column.flags ?? []])).to.deep.equal([
      ['id', ['pk', 'nn', 'uq']],
      ['payload', []],
      ['_seq', ['nn']],
      ['_deleted', ['nn']],
    ]);
  });

  it('DROP TABLE and DROP NAMESPACE ... CASCADE remove them from the system tables', async () => {
    const server = await start();
    await server.query(SETUP);
    await server.query('DROP TABLE chaos.shared_t');
    expect((await server.query('SELECT table_name FROM system.tables')).rows).to.deep.equal([['user_t']]);
    await server.query('DROP NAMESPACE IF EXISTS chaos CASCADE');
    expect((await server.query('SELECT COUNT(*) FROM system.tables')).rows).to.deep.equal([['0']]);
    expect((await server.query('SELECT COUNT(*) FROM system.namespaces')).rows).to.deep.equal([['0']]);
    expectSqlError(await server.sql('SELECT * FROM chaos.user_t'), 400, 'SQL_EXECUTION_ERROR');
  });

  it('DROP NAMESPACE without CASCADE drops a namespace that holds tables, with them (as kalamdb-server 0.4.3-rc.4 does)', async () => {
    const server = await start();
    await server.query(SETUP);
    expect((await server.query('DROP NAMESPACE chaos')).message).to.equal("Namespace 'chaos' dropped successfully");
    expect((await server.query('SELECT COUNT(*) FROM system.tables')).rows).to.deep.equal([['0']]);
  });

  it('Basic auth is refused without --accept-basic-auth', async () => {
    const server = await start();
    expectSqlError(await server.sql('SELECT 1', { authorization: basicHeader('root', ROOT_PASSWORD) }), 401, 'UNAUTHORIZED');
  });

  it('Basic auth is accepted with --accept-basic-auth (and a wrong Basic password still refused)', async () => {
    const server = await start(['--accept-basic-auth']);
    const ok = await server.sql('SELECT 1', { authorization: basicHeader('root', ROOT_PASSWORD) });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.status).to.equal('success');
    expectSqlError(await server.sql('SELECT 1', { authorization: basicHeader('root', 'wrong') }), 401, 'UNAUTHORIZED');
    expectSqlError(await server.sql('SELECT 1', { authorization: basicHeader('alice', ROOT_PASSWORD) }), 401, 'UNAUTHORIZED');
  });
});
