import { expect } from 'chai';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeLog } from '../../src/reference-server/wal.js';
import { findFreePort } from '../../src/target/ports.js';
import { waitFor } from '../../src/util/wait.js';
import { idsOf, useReferenceServers, type RunningServer } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

const SETUP = [
  'CREATE NAMESPACE IF NOT EXISTS chaos',
  "CREATE TABLE IF NOT EXISTS chaos.events (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (TYPE='SHARED', FLUSH_POLICY='rows:100')",
  "CREATE TABLE IF NOT EXISTS chaos.per_user (id BIGINT PRIMARY KEY, payload TEXT) WITH (TYPE='USER')",
].join('; ');

const CATALOG_SQL = [
  'SELECT namespace_id, name, created_at FROM system.namespaces ORDER BY namespace_id',
  // KalamDB 0.4.3's system.tables has no table_id or columns; the flush policy lives in options.
  'SELECT namespace_id, table_name, table_type, options, created_at FROM system.tables ORDER BY table_name',
  'SELECT * FROM chaos.events LIMIT 1',
];

async function allIds(server: RunningServer, table = 'chaos.events'): Promise<number[]> {
  return idsOf(await server.query(`SELECT id FROM ${table} ORDER BY id LIMIT 1000000`));
}

describe('reference server durability (real process, SIGKILL)', function () {
  this.timeout(40_000);
  const tempDir = useTempDir('kalam-durability-test-');
  const servers = useReferenceServers();
  const dataDir = () => join(tempDir(), 'data');
  const start = (extraArgs: string[] = []) => servers.start({ dataDir: dataDir(), extraArgs });

  async function sigkill(server: RunningServer): Promise<void> {
    server.kill('SIGKILL');
    const exit = await server.waitExit();
    expect(exit.signal).to.equal('SIGKILL');
  }

  it('every acknowledged row, table and namespace survives SIGKILL and restart', async () => {
    const first = await start();
    await first.query(SETUP);
    const acked: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const ids = [batch * 3 + 1, batch * 3 + 2, batch * 3 + 3];
      const result = await first.query(`INSERT INTO chaos.events (id, payload) VALUES ${ids.map((id) => `(${id}, 'p''${id}')`).join(', ')}`);
      expect(result.row_count).to.equal(3);
      acked.push(...ids);
    }
    await first.query("EXECUTE AS USER 'alice' (INSERT INTO chaos.per_user (id, payload) VALUES (1, 'alice-1'))");
    await first.query('UPDATE chaos.events SET payload = \'updated\' WHERE id = 1');
    await first.query('DELETE FROM chaos.events WHERE id = 2');
    const catalog = await Promise.all(CATALOG_SQL.map((sql) => first.query(sql)));
    await sigkill(first);

    const second = await start();
    expect(await allIds(second)).to.deep.equal(acked.filter((id) => id !== 2));
    expect((await second.query('SELECT payload FROM chaos.events WHERE id IN (1, 3)')).rows).to.deep.equal([['updated'], ["p'3"]]);
    expect((await second.query("EXECUTE AS USER 'alice' (SELECT id, payload FROM chaos.per_user)")).rows).to.deep.equal([['1', 'alice-1']]);
    expect((await second.query("EXECUTE AS USER 'bob' (SELECT COUNT(*) FROM chaos.per_user)")).rows).to.deep.equal([['0']]);
    const catalogAfter = await Promise.all(CATALOG_SQL.map((sql) => second.query(sql)));
    expect(catalogAfter.map((result) => result.rows)).to.deep.equal(catalog.map((result) => result.rows));
    expect(catalogAfter[1]!.rows).to.have.length(2);
    // _seq keeps growing after a restart: no sequence number is handed out twice.
    const seqBefore = Number((await second.query('SELECT _seq FROM chaos.events ORDER BY _seq DESC LIMIT 1')).rows![0]![0]);
    await second.query("INSERT INTO chaos.events (id, payload) VALUES (1000, 'new')");
    const seqNew = Number((await second.query('SELECT _seq FROM chaos.events WHERE id = 1000')).rows![0]![0]);
    expect(seqNew).to.be.greaterThan(seqBefore);
    const replayed = second.logLines().find((line) => line.msg === 'wal replayed');
    expect(replayed, second.stdout()).to.not.equal(undefined);
    expect(replayed).to.include({ namespaces: 1, tables: 2 });
  });

  it('concurrent SET n = n + 1 of one row lose no increment, and the counter survives SIGKILL', async () => {
    const first = await start();
    await first.query("CREATE NAMESPACE IF NOT EXISTS chaos; CREATE TABLE chaos.registers (id BIGINT PRIMARY KEY, v TEXT, n BIGINT) WITH (TYPE = 'SHARED')");
    await first.query("INSERT INTO chaos.registers (id, v, n) VALUES (1, 'init', 0)");
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => first.query(`UPDATE chaos.registers SET n = n + 1, v = 'w${i}' WHERE id = 1`)));
    expect(answers.map((answer) => answer.row_count)).to.deep.equal(Array.from({ length: 20 }, () => 1));
    await sigkill(first);
    const second = await start();
    expect((await second.query('SELECT n FROM chaos.registers WHERE id = 1')).rows).to.deep.equal([['20']]);
  });

  it('4 concurrent writers, SIGKILL mid-flight: every acknowledged id is back, no rejected id is', async () => {
    const first = await start();
    await first.query(SETUP);
    const token = await first.token();
    const acked = new Set<number>();
    const rejected = new Set<number>();
    const indeterminate = new Set<number>();
    let stop = false;

    async function writer(w: number): Promise<void> {
      for (let n = 0; !stop; n++) {
        const ids = [w * 1_000_000 + n * 2 + 1, w * 1_000_000 + n * 2 + 2];
        // Every fifth request repeats a key inside the INSERT: the server must reject it whole.
        const rows = n % 5 === 4 ? [ids[0], ids[1], ids[0]] : ids;
        let response: Response;
        try {
          response = await fetch(`${first.baseUrl}/v1/api/sql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ sql: `INSERT INTO chaos.events (id, payload) VALUES ${rows.map((id) => `(${id}, 'w${w}')`).join(', ')}` }),
          });
        } catch {
          for (const id of ids) indeterminate.add(id);
          return; // the server is gone
        }
        let body: { status?: string; error?: { code?: string } } | undefined;
        try {
          body = (await response.json()) as typeof body;
        } catch {
          for (const id of ids) indeterminate.add(id);
          return;
        }
        if (response.status === 200 && body?.status === 'success') for (const id of ids) acked.add(id);
        else if (body?.status === 'error') {
          expect(body.error?.code, `writer ${w} request ${n}`).to.equal('SQL_EXECUTION_ERROR');
          expect(n % 5, `only the duplicate-key requests fail (writer ${w} request ${n})`).to.equal(4);
          for (const id of ids) rejected.add(id);
        } else {
          for (const id of ids) indeterminate.add(id);
        }
      }
    }

    const writers = [0, 1, 2, 3].map((w) =>
      writer(w).catch((error: unknown) => {
        stop = true; // a failed assertion in one writer stops them all; Promise.all reports it
        throw error;
      }),
    );
    await waitFor(() => (stop || (acked.size >= 200 && rejected.size >= 8) ? true : undefined), {
      what: '200 acknowledged and 8 rejected rows',
      timeoutMs: 20_000,
      intervalMs: 5,
    });
    first.kill('SIGKILL');
    await Promise.all(writers);
    expect((await first.waitExit()).signal).to.equal('SIGKILL');

    const second = await start();
    const present = new Set(await allIds(second));
    const lost = [...acked].filter((id) => !present.has(id));
    const phantoms = [...rejected].filter((id) => present.has(id));
    const unknown = [...present].filter((id) => !acked.has(id) && !indeterminate.has(id));
    expect(lost, 'acknowledged ids missing after restart').to.deep.equal([]);
    expect(phantoms, 'ids of rejected INSERTs present after restart').to.deep.equal([]);
    expect(unknown, 'ids nobody sent').to.deep.equal([]);
    expect(present.size).to.be.at.least(acked.size);
  });

  it('garbage appended to wal.log after a kill: restart logs "wal torn tail dropped", data intact, later writes survive', async () => {
    const first = await start();
    await first.query(SETUP);
    await first.query("INSERT INTO chaos.events (id, payload) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await sigkill(first);

    const walPath = join(dataDir(), 'rocksdb', 'wal.log');
    const cleanSize = (await stat(walPath)).size;
    expect(decodeLog(await readFile(walPath)).tail).to.equal(undefined);
    await appendFile(walPath, Buffer.from([0x10, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x7b, 0x22, 0x6f]));

    const second = await start();
    const dropped = second.logLines().find((line) => line.msg === 'wal torn tail dropped');
    expect(dropped, `stdout: ${second.stdout()}`).to.not.equal(undefined);
    expect(dropped).to.include({ offset: cleanSize, bytes: 11 });
    expect(await allIds(second)).to.deep.equal([1, 2, 3]);
    expect((await stat(walPath)).size).to.be.at.least(cleanSize);
    await second.query("INSERT INTO chaos.events (id, payload) VALUES (4, 'd')");
    await sigkill(second);
    expect(decodeLog(await readFile(walPath)).tail, 'the new frame was not written behind garbage').to.equal(undefined);

    const third = await start();
    expect(await allIds(third)).to.deep.equal([1, 2, 3, 4]);
    expect(third.logLines().some((line) => line.msg === 'wal torn tail dropped')).to.equal(false);
  });

  it('a second server on the same data dir exits 1 with one stderr line saying "in use"; the first keeps serving', async () => {
    const first = await start();
    await first.query(SETUP);
    const port = await findFreePort();
    const second = servers.spawn(['--data-dir', dataDir(), '--port', String(port)]);
    const exit = await second.waitExit();
    expect(exit.exitCode, second.stderr()).to.equal(1);
    const lines = second.stderr().trim().split('\n');
    expect(lines, second.stderr()).to.have.length(1);
    expect(lines[0]).to.match(/in use/);
    expect(lines[0]).to.include(String(first.pid));
    expect(first.hasExited()).to.equal(false);
    expect((await first.query('SELECT COUNT(*) FROM system.tables')).rows).to.deep.equal([['2']]);
    // The loser must not have removed the winner's lock.
    const lock = JSON.parse(await readFile(join(dataDir(), 'rocksdb', 'LOCK'), 'utf8')) as { pid: number };
    expect(lock.pid).to.equal(first.pid);
  });

  it('a server on a port in use exits 1 with one stderr line', async () => {
    const first = await start();
    const other = servers.spawn(['--data-dir', join(tempDir(), 'other'), '--port', String(first.port)]);
    const exit = await other.waitExit();
    expect(exit.exitCode, other.stderr()).to.equal(1);
    expect(other.stderr().trim().split('\n')).to.have.length(1);
    expect(other.stderr()).to.match(/in use/);
  });

  it('after SIGKILL the LOCK is stale and a restart takes it over', async () => {
    const first = await start();
    await first.query(SETUP);
    await sigkill(first);
    const lockPath = join(dataDir(), 'rocksdb', 'LOCK');
    const stale = JSON.parse(await readFile(lockPath, 'utf8')) as { pid: number };
    expect(stale.pid, 'SIGKILL leaves the lock file behind').to.equal(first.pid);

    const second = await start();
    const takeover = second.logLines().find((line) => line.msg === 'stale data directory lock taken over');
    expect(takeover, second.stdout()).to.include({ previousPid: first.pid });
    expect((JSON.parse(await readFile(lockPath, 'utf8')) as { pid: number }).pid).to.equal(second.pid);
    expect((await second.query('SELECT COUNT(*) FROM system.tables')).rows).to.deep.equal([['2']]);
  });

  it('SIGTERM → exit code 0, lock released, acknowledged data kept', async () => {
    const first = await start();
    await first.query(SETUP);
    await first.query("INSERT INTO chaos.events (id, payload) VALUES (1, 'a')");
    first.kill('SIGTERM');
    const exit = await first.waitExit();
    expect(exit.exitCode, first.stderr()).to.equal(0);
    expect(first.logLines().some((line) => line.msg === 'shutdown complete')).to.equal(true);
    let lockGone = false;
    await stat(join(dataDir(), 'rocksdb', 'LOCK')).catch(() => (lockGone = true));
    expect(lockGone, 'LOCK removed on clean shutdown').to.equal(true);

    const second = await start();
    expect(await allIds(second)).to.deep.equal([1]);
    expect(second.logLines().some((line) => line.msg === 'stale data directory lock taken over')).to.equal(false);
  });

  describe('ack-before-write defect', () => {
    async function insertAckKillRestart(extraArgs: string[]): Promise<{ ids: number[]; acked: boolean }> {
      const first = await start(extraArgs);
      await first.query(SETUP);
      const insert = await first.sql("INSERT INTO chaos.events (id, payload) VALUES (7, 'acked')");
      const acked = insert.status === 200 && insert.body.status === 'success';
      // Visible to readers right after the ack, whichever the server.
      expect(await allIds(first)).to.deep.equal([7]);
      await sigkill(first);
      const second = await start();
      return { ids: await allIds(second), acked };
    }

    it('with --defect ack-before-write --ack-delay-ms 2000 an acknowledged row is lost by SIGKILL', async () => {
      const { ids, acked } = await insertAckKillRestart(['--defect', 'ack-before-write', '--ack-delay-ms', '2000']);
      expect(acked).to.equal(true);
      expect(ids, 'the defect loses the acknowledged row').to.deep.equal([]);
    });

    it('the correct server keeps the same acknowledged row through the same SIGKILL', async () => {
      const { ids, acked } = await insertAckKillRestart([]);
      expect(acked).to.equal(true);
      expect(ids).to.deep.equal([7]);
    });
  });
});
