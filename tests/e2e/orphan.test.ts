import { expect } from 'chai';
import { join } from 'node:path';
import fs from 'fs-extra';
import { onlyRunFolder, readHistory, runCli, startCli } from '../support/cli.js';
import { isAlive, waitUntilGone } from '../support/processes.js';
import { useTempDir } from '../support/temp.js';
import { signalGroup } from '../../src/target/process-registry.js';
import { waitFor } from '../../src/util/wait.js';

describe('a kalam-chaos that was itself SIGKILLed', function () {
  this.timeout(90_000);
  const tempDir = useTempDir();
  let orphan: number | undefined;
  afterEach(() => {
    if (orphan) signalGroup(orphan, 'SIGKILL');
    orphan = undefined;
  });

  it('leaves a server the next run finds, stops and names', async () => {
    const registry = join(tempDir(), 'registry');
    const env = { KALAM_CHAOS_REGISTRY_DIR: registry };
    const firstOut = join(tempDir(), 'first');
    const first = startCli(['run', 'kill-mid-insert', '--workload', 'append', '--seed', '4', '--out', firstOut, '--trigger', 'acks:100000000', '--quiet'], env);
    const runDir = await waitFor(async () => ((await fs.pathExists(firstOut)) ? onlyRunFolder(firstOut).catch(() => undefined) : undefined), {
      what: 'first run folder',
      timeoutMs: 20_000,
    });
    orphan = await waitFor(
      async () => {
        const events = await readHistory(runDir).catch(() => []);
        const start = events.find((event) => event.event === 'server-start');
        return start && events.some((event) => event.event === 'response') ? (start.pid as number) : undefined;
      },
      { what: 'the first run to be writing', timeoutMs: 30_000, intervalMs: 100 },
    );
    first.kill('SIGKILL');
    await first;
    expect(isAlive(orphan), 'the server outlived its SIGKILLed harness').to.equal(true);

    const second = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--seed', '5', '--out', join(tempDir(), 'second'), '--cycles', '1', '--trigger', 'acks:5', '--quiet'], { env });
    expect(second.exitCode, second.stderr).to.equal(0);
    expect(second.stderr).to.include(`stopped server pid ${orphan} left running by an earlier kalam-chaos`);
    expect(second.stderr).to.include(runDir);
    await waitUntilGone(orphan);
    orphan = undefined;
  });
});
