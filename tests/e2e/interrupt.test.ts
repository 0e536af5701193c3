import { expect } from 'chai';
import fs from 'fs-extra';
import { join } from 'node:path';
import { onlyRunFolder, readHistory, readResult, startCli } from '../support/cli.js';
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
});
