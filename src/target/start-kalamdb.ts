import { join } from 'node:path';
import fs from 'fs-extra';
import { createSqlClient } from '../client/sql-client.js';
import { discardHistory } from '../history/history.js';
import { generateCredentials } from './credentials.js';
import { createKalamdbTarget } from './kalamdb.js';
import { findFreePort } from './ports.js';
import { waitUntilReady, type Readiness } from './readiness.js';
import { launchServer, stopServer, type ServerProcess } from './supervisor.js';
import type { Credentials } from './types.js';

export interface RunningKalamdb {
  readonly url: string;
  readonly credentials: Credentials;
  readonly server: ServerProcess;
  /** What /health reported, and how long readiness took. */
  readonly readiness: Readiness;
  /** SIGTERM, SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a real kalamdb-server on a fresh data directory under `dir`, through the same target and
 * supervisor code a campaign uses (server.toml from src/target/kalamdb-config.ts), and waits until
 * it answers SELECT 1, within `readyTimeoutMs`. The caller must call stop() (in an after hook).
 */
export async function startKalamdb(serverBin: string, dir: string, readyTimeoutMs = 30_000): Promise<RunningKalamdb> {
  const credentials = generateCredentials({});
  const dataDir = join(dir, 'data');
  await fs.ensureDir(dataDir);
  const target = createKalamdbTarget({ kind: 'kalamdb', serverBin, auth: 'bearer', syncWrites: false }, dataDir, credentials);
  const port = await findFreePort();
  const incarnationDir = join(dir, 'server');
  const plan = await target.plan({ index: 0, dir: incarnationDir, port });
  const server = await launchServer(plan, { incarnation: 0, dir: incarnationDir, history: discardHistory(), sampleIntervalMs: 0 });
  const client = createSqlClient({ baseUrl: server.baseUrl, auth: 'bearer', credentials, serverLabel: `kalamdb-server ${server.baseUrl}` });
  const stop = async () => {
    await client.close().catch(() => {});
    await stopServer(server);
  };
  let readiness: Readiness;
  try {
    readiness = await waitUntilReady(server, client, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: server.baseUrl, credentials, server, readiness, stop };
}
