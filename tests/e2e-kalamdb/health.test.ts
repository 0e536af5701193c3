import { expect } from 'chai';
import { join } from 'node:path';
import { request } from 'undici';
import { createSqlClient } from '../../src/client/sql-client.js';
import { discardHistory } from '../../src/history/history.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { createKalamdbTarget } from '../../src/target/kalamdb.js';
import { findFreePort } from '../../src/target/ports.js';
import { createReferenceTarget } from '../../src/target/reference.js';
import { launchServer, stopServer, type ServerProcess } from '../../src/target/supervisor.js';
import type { Target } from '../../src/target/types.js';
import { delay } from '../../src/util/wait.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { useTempDir } from '../support/temp.js';

/** What readiness sees of a health endpoint, with the values that name a build left out. */
interface HealthAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly vary: string | undefined;
  /** The body's keys in the order sent, or the body itself when it is not a JSON object. */
  readonly body: string;
}

const PROBES: readonly { method: 'GET' | 'HEAD' | 'POST'; path: string }[] = [
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/v1/api/healthcheck' },
  { method: 'GET', path: '/health?probe=1' },
  { method: 'HEAD', path: '/health' },
  { method: 'POST', path: '/health' },
  { method: 'GET', path: '/health/' },
  { method: 'GET', path: '/healthz' },
];

async function answer(baseUrl: string, method: 'GET' | 'HEAD' | 'POST', path: string): Promise<HealthAnswer> {
  const response = await request(`${baseUrl}${path}`, { method });
  const text = await response.body.text();
  let body = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = `keys ${Object.keys(parsed).join(',')}; status ${String((parsed as { status?: unknown }).status)}`;
  } catch {
    // Not JSON: compared as it is.
  }
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return { status: response.statusCode, contentType: header('content-type'), vary: header('vary'), body };
}

/** Polls /health every 5 ms from the spawn; at its first 200, one login and one SELECT 1 must work. */
async function firstHealthyAnswerServesSql(server: ServerProcess, target: Target): Promise<void> {
  const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials: target.credentials });
  try {
    const deadline = Date.now() + 60_000;
    let refused = 0;
    for (;;) {
      expect(server.hasExited(), `${target.kind} exited before /health answered`).to.equal(false);
      expect(Date.now(), `${target.kind}: /health never answered 200`).to.be.below(deadline);
      const health = await client.health().catch(() => undefined);
      if (health?.status === 200) break;
      refused++;
      await delay(5);
    }
    expect(refused, `${target.kind}: the probe began before the server listened`).to.be.greaterThan(0);
    const outcome = await client.execute('SELECT 1');
    expect(outcome.kind, `${target.kind}: ${JSON.stringify(outcome)}`).to.equal('success');
  } finally {
    await client.close();
  }
}

/** Readiness relies on the health endpoint: the reference server must answer it as kalamdb-server does. */
describe('the health endpoint: reference server against the real kalamdb-server', function () {
  this.timeout(120_000);
  const tempDir = useTempDir('kalamdb-health-');
  let serverBin = '';
  const running: ServerProcess[] = [];

  before(function () {
    serverBin = requireKalamdbBinary(this);
  });
  afterEach(async () => {
    for (const server of running.splice(0)) await stopServer(server);
  });

  async function launch(kind: 'reference' | 'kalamdb'): Promise<{ server: ServerProcess; target: Target }> {
    const dir = join(tempDir(), kind);
    const credentials = generateCredentials({});
    const target =
      kind === 'kalamdb'
        ? createKalamdbTarget({ kind: 'kalamdb', serverBin, auth: 'bearer', syncWrites: false }, join(dir, 'data'), credentials)
        : createReferenceTarget({ kind: 'reference', defects: [], auth: 'bearer' }, join(dir, 'data'), credentials);
    const port = await findFreePort();
    const plan = await target.plan({ index: 0, dir: join(dir, 'server'), port });
    const server = await launchServer(plan, { incarnation: 0, dir: join(dir, 'server'), history: discardHistory(), sampleIntervalMs: 0 });
    running.push(server);
    return { server, target };
  }

  it('answers /health only once it serves SQL, on both', async () => {
    for (const kind of ['kalamdb', 'reference'] as const) {
      const { server, target } = await launch(kind);
      await firstHealthyAnswerServesSql(server, target);
    }
  });

  it('answers every health probe with the same status, content type, vary header and body shape', async () => {
    const real = await launch('kalamdb');
    await firstHealthyAnswerServesSql(real.server, real.target);
    const reference = await launch('reference');
    await firstHealthyAnswerServesSql(reference.server, reference.target);
    for (const { method, path } of PROBES) {
      const expected = await answer(real.server.baseUrl, method, path);
      expect(await answer(reference.server.baseUrl, method, path), `${method} ${path}`).to.deep.equal(expected);
    }
    // Not vacuous: the real answers are what readiness expects.
    expect(await answer(real.server.baseUrl, 'GET', '/health')).to.deep.include({ status: 200, body: 'keys api_version,build_date,status,version; status healthy' });
  });
});
