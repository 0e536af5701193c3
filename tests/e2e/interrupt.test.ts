import { expect } from 'chai';
import fs from 'fs-extra';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, onlyRunFolder, readHistory, readResult, startCli } from '../support/cli.js';
import { packageRoot } from '../../src/util/package-root.js';
import { useTempDir } from '../support/temp.js';
import { waitFor } from '../../src/util/wait.js';
import { waitUntilGone } from '../support/processes.js';

describe('interrupting a campaign', function () {
  this.timeout(90_000);
  const tempDir = useTempDir();

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} stops the server, writes a partial result marked interrupted, exits ${code}`, async () => {
      const out = tempDir();
      // A trigger that never fires by itself keeps the campaign mid-cycle until the signal comes.
      const cli = startCli(['run', 'kill-mid-insert', '--workload', 'append', '--seed', '3', '--out', out, '--cycles', '2', '--trigger', 'acks:100000000', '--quiet']);
      const runDir = await waitFor(async () => (await fs.pathExists(out)) ? onlyRunFolder(out).catch(() => undefined) : undefined, {
        what: 'run folder',
        timeoutMs: 20_000,
      });
      const serverPid = await waitFor(
        async () => {
          const events = await readHistory(runDir).catch(() => []);
          const acked = events.some((event) => event.event === 'response' && event.outcome === 'acknowledged');
          const start = events.find((event) => event.event === 'server-start');
          return acked && start ? (start.pid as number) : undefined;
        },
        { what: 'writers to be acknowledged', timeoutMs: 30_000, intervalMs: 100 },
      );
      cli.kill(signal);
      const run = await cli;
      expect(run.exitCode, String(run.stderr)).to.equal(code);
      await waitUntilGone(serverPid);
      const result = await readResult(runDir);
      expect(result.verdict).to.equal('interrupted');
      expect(result.exitCode).to.equal(code);
      expect(await fs.pathExists(join(runDir, 'history.ndjson'))).to.equal(true);
    });
  }

  it('ends within 10 s under `timeout 5` (one SIGTERM), leaving no server, no registry entry, and a partial result', async function () {
    const out = tempDir();
    const registry = join(out, '.registry');
    const started = Date.now();
    const run = await execa('timeout', ['5', process.execPath, CLI, 'run', 'kill-mid-insert', '--seed', '4', '--out', out, '--cycles', '200', '--quiet'], {
      reject: false,
      timeout: 60_000,
      env: { KALAM_CHAOS_REGISTRY_DIR: registry },
      cwd: packageRoot(),
    });
    expect(Date.now() - started, 'ended within 10 s').to.be.below(10_000);
    expect(run.exitCode, `timeout reports the signal it sent: ${run.stderr}`).to.equal(124);
    expect(run.stderr).to.include('SIGTERM received, stopping the server and writing a partial result (press Ctrl+C again to force)');
    const runDir = await onlyRunFolder(out);
    const serverPids = (await readHistory(runDir)).filter((event) => event.event === 'server-start').map((event) => event.pid as number);
    expect(serverPids.length, 'a server was running when the signal came').to.be.greaterThan(0);
    for (const pid of serverPids) await waitUntilGone(pid, 1_000);
    expect(await fs.readdir(registry).catch(() => []), 'registry entries removed').to.deep.equal([]);
    const result = await readResult(runDir);
    expect(result.verdict).to.equal('interrupted');
    expect(result.exitCode).to.equal(143);
  });
});
