import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../support/temp.js';
import { armFileTrigger } from '../../src/nemesis/file-trigger-thread.js';

/** A stand-in server: its own process group, killed only by a signal. */
function victim() {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { pid: child.pid!, exited, cleanup: () => child.kill('SIGKILL') };
}

function flushOnce(scope: string, n: number): void {
  mkdirSync(scope, { recursive: true });
  writeFileSync(join(scope, `batch-${n}.parquet.tmp`), 'rows');
  renameSync(join(scope, `batch-${n}.parquet.tmp`), join(scope, `batch-${n}.parquet`));
  writeFileSync(join(scope, 'manifest.json.tmp'), '{}');
  renameSync(join(scope, 'manifest.json.tmp'), join(scope, 'manifest.json'));
}

describe('file-trigger worker thread', function () {
  this.timeout(30_000);
  const temp = useTempDir();

  it('SIGKILLs the process group at the manifest of a flush in a folder created after arming', async () => {
    const storage = temp();
    const server = victim();
    const trigger = await armFileTrigger(storage, server.pid, 'manifest-written');
    try {
      flushOnce(join(storage, 'chaos', 'user_rows', 'carol'), 1);
      const event = await trigger.killed;
      expect(event.observed).to.equal(join('chaos', 'user_rows', 'carol', 'manifest.json'));
      expect(event.killedAt).to.be.at.least(event.observedAt);
      expect(await server.exited).to.equal('SIGKILL');
      expect(trigger.fired()).to.equal(true);
    } finally {
      server.cleanup();
      await trigger.close();
    }
  });

  it('fires at the second flush of a scope too (manifest replaced again), not before its step', async () => {
    const storage = temp();
    const scope = join(storage, 'chaos', 'shared_rows');
    flushOnce(scope, 1);
    const server = victim();
    const trigger = await armFileTrigger(storage, server.pid, 'segment-renamed');
    try {
      expect(trigger.fired()).to.equal(false);
      writeFileSync(join(scope, 'batch-2.parquet.tmp'), 'rows');
      expect(trigger.fired(), 'a temp file is not the segment-renamed step').to.equal(false);
      renameSync(join(scope, 'batch-2.parquet.tmp'), join(scope, 'batch-2.parquet'));
      const event = await trigger.killed;
      expect(event.observed).to.equal(join('chaos', 'shared_rows', 'batch-2.parquet'));
      expect(await server.exited).to.equal('SIGKILL');
    } finally {
      server.cleanup();
      await trigger.close();
    }
  });
});
