/**
 * FINDINGS.md F19: a fresh kalamdb-server, rows 1..6 of a USER table, row 1 updated and row 4 deleted;
 * a live query with batch_size 2 paged with next_batch. Prints the SELECT and each initial batch.
 * Usage: npx tsx scripts/repro-live-paging.ts [path/to/kalamdb-server]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createSqlClient } from '../src/client/sql-client.js';
import { openLiveConnection } from '../src/client/subscriber.js';
import { discardHistory } from '../src/history/history.js';
import { generateCredentials } from '../src/target/credentials.js';
import { createKalamdbTarget } from '../src/target/kalamdb.js';
import { findFreePort } from '../src/target/ports.js';
import { waitUntilReady } from '../src/target/readiness.js';
import { launchServer, stopServer } from '../src/target/supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'h9-paging-'));
const credentials = generateCredentials({});
const target = createKalamdbTarget({ kind: 'kalamdb', serverBin: process.argv[2] ?? '.tmp/kalamdb/kalamdb-server', auth: 'bearer', syncWrites: false }, join(dir, 'data'), credentials);
const plan = await target.plan({ index: 0, dir: join(dir, 'server'), port: await findFreePort() });
const server = await launchServer(plan, { incarnation: 0, dir: join(dir, 'server'), history: discardHistory(), sampleIntervalMs: 0 });
const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials, requestTimeoutMs: 60_000 });
try {
  await waitUntilReady(server, client, 60_000);
  const password = randomBytes(12).toString('hex');
  await client.query('CREATE NAMESPACE IF NOT EXISTS chaos');
  await client.query("CREATE TABLE chaos.t (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (TYPE = 'USER')");
  await client.query(`CREATE USER alice WITH PASSWORD '${password}' ROLE user`);
  for (let id = 1; id <= 6; id++) await client.query(`INSERT INTO chaos.t (id, payload) VALUES (${id}, 'p${id}')`, { asUser: 'alice' });
  await client.query("UPDATE chaos.t SET payload = 'u1' WHERE id = 1", { asUser: 'alice' });
  await client.query('DELETE FROM chaos.t WHERE id = 4', { asUser: 'alice' });
  const select = await client.query('SELECT id, payload, _seq FROM chaos.t ORDER BY id', { asUser: 'alice' });
  console.log('SELECT', JSON.stringify(select.rows));
  const res = await request(`${server.baseUrl}/v1/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'alice', password }) });
  const token = ((await res.body.json()) as { access_token: string }).access_token;
  const live = await openLiveConnection({ baseUrl: server.baseUrl, label: 'alice', onMessage: (m) => { if (m.kind === 'initial_data_batch') console.log('batch', JSON.stringify((m.body.rows as {id:string;payload:string;_seq:string}[]).map((r) => [r.id, r.payload, r._seq])), JSON.stringify(m.body.batch_control)); } });
  await live.authenticate(token);
  const initial = await live.subscribe({ id: 'rows', sql: 'SELECT * FROM chaos.t', batchSize: 2 });
  console.log('initial ids', JSON.stringify(initial.rows.map((r) => r.id)), 'batches', initial.batches);
  await live.close();
} finally {
  await client.close().catch(() => {});
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
}
