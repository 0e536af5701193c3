import { expect } from 'chai';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFreePort, isPortFree } from '../../src/target/ports.js';
import { waitFor } from '../../src/util/wait.js';
import { baseEnv, idsOf, useReferenceServers, type ServerProcess } from '../support/reference-server.js';
import { useTempDir } from '../support/temp.js';

function toml(options: { port: number; dataPath: string; logsPath: string }): string {
  return [
    '[server]',
    'host = "127.0.0.1"',
    `port = ${options.port}`,
    '',
    '[storage]',
    `data_path = ${JSON.stringify(options.dataPath)}`,
    '',
    '[logging]',
    `logs_path = ${JSON.stringify(options.logsPath)}`,
    'level = "info"',
    '',
    '[limits]',
    'default_query_limit = 7',
    'max_query_limit = 20',
    '',
  ].join('\n');
}

async function expectUsageExit(server: ServerProcess, pattern: RegExp): Promise<void> {
  const exit = await server.waitExit();
  expect(exit.exitCode, `stderr: ${server.stderr()}`).to.equal(2);
  const lines = server.stderr().trim().split('\n');
  expect(lines, server.stderr()).to.have.length(1);
  expect(lines[0]).to.match(pattern);
}

describe('reference server in KalamDB mode (one positional server.toml)', function () {
  this.timeout(30_000);
  const tempDir = useTempDir('kalam-kalamdb-mode-test-');
  const servers = useReferenceServers();

  async function writeToml(port: number): Promise<{ path: string; dataPath: string; logsPath: string }> {
    const dataPath = join(tempDir(), 'kdata');
    const logsPath = join(tempDir(), 'klogs');
    const path = join(tempDir(), 'server.toml');
    await writeFile(path, toml({ port, dataPath, logsPath }));
    return { path, dataPath, logsPath };
  }

  it('uses data_path, logs_path and [limits] from the toml', async () => {
    const port = await findFreePort();
    const config = await writeToml(port);
    const server = await servers.start({ args: [config.path], port });

    await server.query('CREATE NAMESPACE IF NOT EXISTS chaos');
    await server.query("CREATE TABLE chaos.t (id BIGINT PRIMARY KEY, payload TEXT) WITH (TYPE='SHARED')");
    const rows = Array.from({ length: 30 }, (_, i) => `(${i + 1}, 'p')`).join(', ');
    await server.query(`INSERT INTO chaos.t (id, payload) VALUES ${rows}`);

    // default_query_limit = 7, max_query_limit = 20
    expect(idsOf(await server.query('SELECT id FROM chaos.t'))).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
    expect((await server.query('SELECT id FROM chaos.t LIMIT 25')).row_count).to.equal(20);
    expect((await server.query('SELECT id FROM chaos.t LIMIT 3')).row_count).to.equal(3);

    // Data lands in data_path/rocksdb.
    const rocksdb = join(config.dataPath, 'rocksdb');
    expect(await readdir(rocksdb)).to.include.members(['wal.log', 'LOCK']);
    expect((await stat(join(rocksdb, 'wal.log'))).size).to.be.greaterThan(0);

    // logs_path/server.log gets the same NDJSON lines as stdout.
    const logFile = join(config.logsPath, 'server.log');
    const lines = await waitFor(
      async () => {
        const text = await readFile(logFile, 'utf8');
        const parsed = text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        return parsed.some((line) => line.msg === 'server listening') ? parsed : undefined;
      },
      { what: 'server.log to hold the "server listening" line', timeoutMs: 5_000 },
    );
    for (const line of lines) {
      expect(line.msg).to.be.a('string');
      expect(line.level).to.be.a('number');
      expect(line.time).to.be.a('number');
    }
    const listening = lines.find((line) => line.msg === 'server listening')!;
    expect(listening).to.include({ port, dataDir: config.dataPath });
    expect(listening.configuredBy).to.deep.equal({ file: config.path });
    expect(server.logLines().some((line) => line.msg === 'server listening')).to.equal(true);
    // The root password from the environment never reaches the log.
    expect(await readFile(logFile, 'utf8')).to.not.include(baseEnv().KALAMDB_ROOT_PASSWORD);
  });

  it('KALAMDB_SERVER_PORT overrides the toml port', async () => {
    const tomlPort = await findFreePort();
    let envPort = await findFreePort();
    while (envPort === tomlPort) envPort = await findFreePort();
    const config = await writeToml(tomlPort);
    const server = await servers.start({ args: [config.path], port: envPort, env: baseEnv({ KALAMDB_SERVER_PORT: String(envPort) }) });
    expect((await server.health()).status).to.equal(200);
    expect(await isPortFree(tomlPort), 'nothing listens on the toml port').to.equal(true);
    const listening = server.logLines().find((line) => line.msg === 'server listening');
    expect(listening).to.include({ port: envPort });
  });

  it('a missing toml path exits 2 with one line', async () => {
    const missing = join(tempDir(), 'nope', 'server.toml');
    await expectUsageExit(servers.spawn([missing]), /config file not found/);
  });

  it('an unparseable toml exits 2 with one line', async () => {
    const path = join(tempDir(), 'bad.toml');
    await writeFile(path, '[server\nport = = 1\n');
    await expectUsageExit(servers.spawn([path]), /cannot parse/);
  });

  it('KalamDB mode with more than one argument exits 2 with one line', async () => {
    const port = await findFreePort();
    const config = await writeToml(port);
    await expectUsageExit(servers.spawn([config.path, '--port', String(port)]), /exactly one argument/);
  });

  it('--host 0.0.0.0 exits 2: loopback only', async () => {
    const port = await findFreePort();
    await expectUsageExit(servers.spawn(['--data-dir', join(tempDir(), 'd'), '--port', String(port), '--host', '0.0.0.0']), /loopback/);
  });

  it('a non-loopback [server] host in the toml exits 2', async () => {
    const port = await findFreePort();
    const config = await writeToml(port);
    await writeFile(config.path, (await readFile(config.path, 'utf8')).replace('host = "127.0.0.1"', 'host = "0.0.0.0"'));
    await expectUsageExit(servers.spawn([config.path]), /loopback/);
  });

  it('an unknown flag exits 2 with one line', async () => {
    const port = await findFreePort();
    await expectUsageExit(servers.spawn(['--data-dir', join(tempDir(), 'd'), '--port', String(port), '--frobnicate']), /frobnicate/);
  });

  it('an unknown defect and a bad port exit 2', async () => {
    const port = await findFreePort();
    await expectUsageExit(servers.spawn(['--data-dir', join(tempDir(), 'd'), '--port', String(port), '--defect', 'nope']), /unknown defect/);
    await expectUsageExit(servers.spawn(['--data-dir', join(tempDir(), 'd'), '--port', '70000']), /port/);
  });
});
