import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';
import { waitFor } from '../../src/util/wait.js';
import { waitUntilGone } from '../support/processes.js';
import { useTempDir } from '../support/temp.js';

describe('interrupting a tool that does not stop by itself', function () {
  this.timeout(60_000);
  const tempDir = useTempDir();

  async function startStuck(forceAfterMs: number) {
    const marker = join(tempDir(), 'partial.json');
    const child = execa(process.execPath, ['--import', 'tsx', join(packageRoot(), 'tests', 'fixtures', 'stuck-campaign.ts'), join(tempDir(), 'server'), marker, String(forceAfterMs)], {
      cwd: packageRoot(),
      reject: false,
      timeout: 45_000,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const serverPid = await waitFor(() => (/^\d+\n/.test(out) ? Number(out.trim()) : undefined), { what: 'the stuck tool to start its server', timeoutMs: 30_000 });
    return { child, marker, serverPid, stderr: () => err };
  }

  it('forces the exit after one SIGTERM it cannot honour: server killed, partial result written, exit 143', async () => {
    const { child, marker, serverPid } = await startStuck(1_500);
    const sent = Date.now();
    child.kill('SIGTERM');
    const run = await child;
    expect(run.timedOut, 'still running after 45 s').to.equal(false);
    expect(run.exitCode, run.stderr).to.equal(143);
    expect(Date.now() - sent, 'forced after the 1.5 s grace, not at once and not never').to.be.within(1_400, 20_000);
    expect(run.stderr).to.include('press Ctrl+C again to force');
    expect(run.stderr).to.include('forcing exit');
    expect(existsSync(marker), 'the emergency step ran').to.equal(true);
    await waitUntilGone(serverPid);
  });

  it('forces the exit at once on a second SIGINT', async () => {
    const { child, marker, serverPid, stderr } = await startStuck(600_000);
    child.kill('SIGINT');
    await waitFor(() => (stderr().includes('press Ctrl+C again') ? true : undefined), { what: 'the first signal to be taken', timeoutMs: 10_000 });
    expect(existsSync(marker), 'nothing forced yet').to.equal(false);
    child.kill('SIGINT');
    const run = await child;
    expect(run.timedOut, 'still running: the second signal did not force').to.equal(false);
    expect(run.exitCode, run.stderr).to.equal(130);
    expect(existsSync(marker)).to.equal(true);
    await waitUntilGone(serverPid);
  });
});
