import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openHistory } from '../../src/history/history.js';
import { packageRoot } from '../../src/util/package-root.js';
import { useTempDir } from '../support/temp.js';

const FULL = '/dev/full';

describe('history on a disk that refuses writes', function () {
  this.timeout(30_000);
  const tempDir = useTempDir();
  before(function () {
    if (!existsSync(FULL)) this.skip();
  });

  it('keeps the first ENOSPC, tells the campaign at once, drops the rest, and close() reports it', async () => {
    const failures: Error[] = [];
    const history = openHistory(FULL, (error) => failures.push(error));
    for (let index = 0; index < 5_000; index++) history.record({ type: 'setup', cycle: index, statements: 1 });
    expect(failures, 'a write of 64 KiB happened while recording').to.have.length(1);
    expect(failures[0]!.message).to.equal('cannot write /dev/full: ENOSPC (no space left on device)');
    history.record({ type: 'setup', cycle: 0, statements: 1 });
    expect(failures).to.have.length(1);
    await history.close().then(
      () => expect.fail('close() must report the write error'),
      (error: Error) => expect(error.message).to.match(/ENOSPC/),
    );
  });

  it('lets the process exit at once when the disk is full at exit (pino.destination retried forever)', async () => {
    const script = [
      "import { openHistory } from './src/history/history.ts';",
      `const history = openHistory(${JSON.stringify(FULL)});`,
      "for (let i = 0; i < 100; i++) history.record({ type: 'setup', cycle: i, statements: 1 });",
      'process.exit(0);',
    ].join('\n');
    const child = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: packageRoot(), reject: false, timeout: 15_000 });
    expect(child.timedOut, 'the process hung at exit').to.equal(false);
    expect(child.exitCode, child.stderr).to.equal(0);
  });

  it('writes every recorded event by close(), one NDJSON line each', async () => {
    const path = join(tempDir(), 'history.ndjson');
    const history = openHistory(path);
    for (let index = 0; index < 3_000; index++) history.record({ type: 'setup', cycle: index, statements: index % 7 });
    await history.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { event: string; cycle: number });
    expect(lines.map((line) => line.cycle)).to.deep.equal(Array.from({ length: 3_000 }, (_, index) => index));
    expect(new Set(lines.map((line) => line.event))).to.deep.equal(new Set(['setup']));
  });
});
