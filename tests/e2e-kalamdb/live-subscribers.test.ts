import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { request } from 'undici';
import { compareSeq } from '../../src/client/live-messages.js';
import { createSqlClient, type SqlClient } from '../../src/client/sql-client.js';
import { openLiveConnection, type LiveConnection } from '../../src/client/subscriber.js';
import { discardHistory } from '../../src/history/history.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { createKalamdbTarget } from '../../src/target/kalamdb.js';
import { findFreePort } from '../../src/target/ports.js';
import { waitUntilReady } from '../../src/target/readiness.js';
import { launchServer, stopServer, type ServerProcess } from '../../src/target/supervisor.js';
import { onlyRunFolder, readResult, runCli } from '../support/cli.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { useTempDir } from '../support/temp.js';

/** What the subscribers checker can report: a campaign verdict must name one of these, never a tool error. */
const LIVE_VIOLATIONS = ['missed-change', 'phantom-change', 'duplicate-change', 'out-of-order-change', 'initial-data-mismatch', 'stale-live-entry', 'subscribe-failed'];

async function loginToken(baseUrl: string, user: string, password: string): Promise<string> {
  const response = await request(`${baseUrl}/v1/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  const body = (await response.body.json()) as { access_token?: string };
  expect(response.statusCode, JSON.stringify(body)).to.equal(200);
  return body.access_token!;
}

describe('live queries against the real kalamdb-server', function () {
  this.timeout(240_000);
  const tempDir = useTempDir('kalamdb-live-');
  let serverBin = '';

  before(function () {
    serverBin = requireKalamdbBinary(this);
  });

  describe('the subscriber client', () => {
    let server: ServerProcess | undefined;
    let client: SqlClient | undefined;
    let live: LiveConnection | undefined;

    after(async () => {
      await live?.close().catch(() => {});
      await client?.close().catch(() => {});
      if (server) await stopServer(server);
    });

    it('authenticates, subscribes with paged initial data equal to a SELECT, and receives an INSERT as a change', async () => {
      const dir = tempDir();
      const credentials = generateCredentials({});
      const target = createKalamdbTarget({ kind: 'kalamdb', serverBin, auth: 'bearer', syncWrites: false }, join(dir, 'data'), credentials);
      const plan = await target.plan({ index: 0, dir: join(dir, 'server'), port: await findFreePort() });
      server = await launchServer(plan, { incarnation: 0, dir: join(dir, 'server'), history: discardHistory(), sampleIntervalMs: 0 });
      client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials, requestTimeoutMs: 60_000 });
      await waitUntilReady(server, client, 60_000);
      const password = randomBytes(12).toString('hex');
      await client.query('CREATE NAMESPACE IF NOT EXISTS chaos');
      await client.query("CREATE TABLE chaos.live_rows (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (TYPE = 'USER')");
      await client.query(`CREATE USER alice WITH PASSWORD '${password}' ROLE user`);
      for (let id = 1; id <= 5; id++) await client.query(`INSERT INTO chaos.live_rows (id, payload) VALUES (${id}, 'p${id}')`, { asUser: 'alice' });

      live = await openLiveConnection({ baseUrl: server.baseUrl, label: 'alice#1' });
      const auth = await live.authenticate(await loginToken(server.baseUrl, 'alice', password));
      expect(auth.body).to.include({ type: 'auth_success', user: 'alice' });

      // batch size 2 over 5 inserted rows: three batches, paged with next_batch.
      const initial = await live.subscribe({ id: 'rows', sql: 'SELECT * FROM chaos.live_rows', batchSize: 2 });
      expect(initial.batches).to.be.greaterThan(1);
      const select = await client.query('SELECT id, payload, _seq FROM chaos.live_rows ORDER BY id', { asUser: 'alice' });
      const selected = (select.rows ?? []).map((row) => `${String(row[0])}|${String(row[1])}|${String(row[2])}`);
      const delivered = initial.rows.map((row) => `${String(row.id)}|${String(row.payload)}|${String(row._seq)}`).sort((a, b) => Number(a.split('|')[0]) - Number(b.split('|')[0]));
      expect(delivered).to.deep.equal(selected);
      expect(selected).to.have.length(5);
      const highest = initial.rows.map((row) => String(row._seq)).reduce((a, b) => (compareSeq(a, b) >= 0 ? a : b));

      await client.query("INSERT INTO chaos.live_rows (id, payload) VALUES (6, 'p6')", { asUser: 'alice' });
      const change = await live.waitFor((message) => message.kind === 'change' && message.body.change_type === 'insert', 30_000, 'the insert of id 6 as a change');
      const rows = change.body.rows as Record<string, unknown>[];
      expect(rows.map((row) => [String(row.id), row.payload])).to.deep.equal([['6', 'p6']]);
      expect(typeof rows[0]!._seq, '_seq arrives as a decimal string').to.equal('string');
      expect(compareSeq(String(rows[0]!._seq), highest)).to.equal(1);
    });
  });

  it('runs a 2-cycle live-subscribers campaign to a verdict of the live checker, never a tool error', async () => {
    const out = tempDir();
    const run = await runCli(['run', 'live-subscribers', '--cycles', '2', '--seed', '1', '--target', 'kalamdb', '--server-bin', serverBin, '--out', out, '--quiet'], { timeoutMs: 220_000 });
    expect(run.exitCode, run.stderr + run.stdout).to.be.oneOf([0, 1]);
    const result = await readResult(await onlyRunFolder(out));
    expect(result.verdict).to.be.oneOf(['pass', 'fail']);
    if (result.verdict === 'fail') {
      expect(result.violations.map((record) => record.violation.kind).filter((kind) => !LIVE_VIOLATIONS.includes(kind)), run.stdout).to.deep.equal([]);
    }
    const stats = result.cycles.flatMap((cycle) => cycle.checks.filter((check) => check.check === 'subscribers').flatMap((check) => (check.stats ? [check.stats] : [])));
    expect(stats[0]?.changesDelivered ?? 0, 'the real server delivered changes').to.be.greaterThan(0);
  });
});
