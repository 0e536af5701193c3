import { expect } from 'chai';
import { join } from 'node:path';
import { readScope } from '../../src/checker/read-scope.js';
import { createSqlClient, type SqlClient } from '../../src/client/sql-client.js';
import { discardHistory } from '../../src/history/history.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { createKalamdbTarget } from '../../src/target/kalamdb.js';
import { findFreePort } from '../../src/target/ports.js';
import { waitUntilReady } from '../../src/target/readiness.js';
import { createReferenceTarget } from '../../src/target/reference.js';
import { launchServer, stopServer, type ServerProcess } from '../../src/target/supervisor.js';
import { payloadFor } from '../../src/workload/insert-workload.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { useTempDir } from '../support/temp.js';

const SEED = 7;
const payloadOf = (id: number) => payloadFor(SEED, id, 64);
/** Ids 1, 4, 7, ...: gaps between keys, so `id >= last` cannot be told from `id > last - 1` by luck. */
const IDS = Array.from({ length: 1_200 }, (_, index) => 1 + 3 * index);
const SCOPES = [
  { table: 'chaos.shared_rows', partition: null },
  { table: 'chaos.user_rows', partition: 'alice' },
] as const;

/** The statements the read-back sends, and the edge cases of its paging, answered the same by both servers. */
const PROBES = [
  'SELECT id, payload FROM chaos.shared_rows ORDER BY id LIMIT 3',
  'SELECT id, payload FROM chaos.shared_rows WHERE id >= 1000 ORDER BY id LIMIT 3',
  'SELECT id, payload FROM chaos.shared_rows WHERE id >= 1001 ORDER BY id LIMIT 3',
  'SELECT id, payload FROM chaos.shared_rows WHERE id >= 1000 ORDER BY id LIMIT 3 OFFSET 2',
  'SELECT id, payload FROM chaos.shared_rows WHERE id >= 3598 ORDER BY id LIMIT 3',
  'SELECT id, payload FROM chaos.shared_rows WHERE id >= 3599 ORDER BY id LIMIT 3',
  // max_query_limit (1000) caps a larger LIMIT: the read-back's pages must not ask for more.
  'SELECT id FROM chaos.shared_rows WHERE id >= 1 ORDER BY id LIMIT 5000',
  'SELECT COUNT(*) FROM chaos.shared_rows WHERE id >= 1000',
];

/** The keyset read-back against the real kalamdb-server: the query form it sends works there, and the reference server answers it alike. */
describe('read-back by keyset pages: reference server against the real kalamdb-server', function () {
  this.timeout(300_000);
  const tempDir = useTempDir('kalamdb-read-back-');
  let serverBin = '';
  const running: { server: ServerProcess; client: SqlClient }[] = [];

  before(function () {
    serverBin = requireKalamdbBinary(this);
  });
  afterEach(async () => {
    for (const { server, client } of running.splice(0)) {
      await client.close().catch(() => {});
      await stopServer(server);
    }
  });

  async function launchLoaded(kind: 'reference' | 'kalamdb'): Promise<SqlClient> {
    const dir = join(tempDir(), kind);
    const credentials = generateCredentials({});
    const target =
      kind === 'kalamdb'
        ? createKalamdbTarget({ kind: 'kalamdb', serverBin, auth: 'bearer', syncWrites: false }, join(dir, 'data'), credentials)
        : createReferenceTarget({ kind: 'reference', defects: [], auth: 'bearer' }, join(dir, 'data'), credentials);
    const plan = await target.plan({ index: 0, dir: join(dir, 'server'), port: await findFreePort() });
    const server = await launchServer(plan, { incarnation: 0, dir: join(dir, 'server'), history: discardHistory(), sampleIntervalMs: 0 });
    const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials, requestTimeoutMs: 60_000 });
    running.push({ server, client });
    await waitUntilReady(server, client, 60_000);
    await client.query('CREATE NAMESPACE IF NOT EXISTS chaos');
    await client.query("CREATE TABLE chaos.shared_rows (id BIGINT PRIMARY KEY, payload TEXT NOT NULL, writer INT NOT NULL) WITH (TYPE = 'SHARED')");
    await client.query("CREATE TABLE chaos.user_rows (id BIGINT PRIMARY KEY, payload TEXT NOT NULL, writer INT NOT NULL) WITH (TYPE = 'USER')");
    for (const scope of SCOPES) {
      for (let first = 0; first < IDS.length; first += 500) {
        const values = IDS.slice(first, first + 500).map((id) => `(${id}, '${payloadOf(id)}', 0)`);
        await client.query(`INSERT INTO ${scope.table} (id, payload, writer) VALUES ${values.join(', ')}`, scope.partition ? { asUser: scope.partition } : undefined);
      }
    }
    return client;
  }

  it('reads every row once, in key order, with its payload, from a SHARED and a USER table of both', async () => {
    for (const kind of ['kalamdb', 'reference'] as const) {
      const client = await launchLoaded(kind);
      for (const scope of SCOPES) {
        // Pages of 1000 (max_query_limit), and smaller ones so that more boundaries fall between keys
        // (few: kalamdb-server's debug build takes about a second per page, whatever its size).
        for (const pageSize of [1000, 250]) {
          const read = await readScope(client, scope, pageSize, payloadOf);
          expect([...read.ids], `${kind} ${scope.table} pages of ${pageSize}`).to.deep.equal(IDS);
          expect(read, `${kind} ${scope.table}`).to.deep.include({ countStar: IDS.length, payloadMismatch: [] });
        }
      }
    }
  });

  it('answers the paging statements alike on both', async () => {
    const real = await launchLoaded('kalamdb');
    const answers = [];
    for (const sql of PROBES) answers.push((await real.query(sql)).rows);
    const reference = await launchLoaded('reference');
    for (const [index, sql] of PROBES.entries()) expect((await reference.query(sql)).rows, sql).to.deep.equal(answers[index]);
    // Not vacuous: the real server paged as the read-back expects.
    expect(answers[1]!.map((row) => row[0])).to.deep.equal(['1000', '1003', '1006']);
    expect(answers[2]!.map((row) => row[0])).to.deep.equal(['1003', '1006', '1009']);
    expect(answers[3]!.map((row) => row[0])).to.deep.equal(['1006', '1009', '1012']);
    expect(answers[6], 'a LIMIT above max_query_limit').to.have.length(1000);
  });
});
