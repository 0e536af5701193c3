import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorLines } from '../../src/target/supervisor.js';
import { useTempDir } from '../support/temp.js';

describe('errorLines: what a backtrace tail hides', () => {
  const tmp = useTempDir();

  it('finds the first error-looking lines of a log, colours stripped, however long the backtrace after them', async () => {
    const path = join(tmp(), 'stderr.log');
    const backtrace = Array.from({ length: 40 }, (_, index) => `  ${index}: <unknown>`).join('\n');
    await writeFile(path, `starting\n\x1b[31mError:\x1b[0m IO error: No such file or directory: rocksdb/LOCK\nStack backtrace:\n${backtrace}\n`);
    expect(await errorLines(path)).to.deep.equal(['Error: IO error: No such file or directory: rocksdb/LOCK']);
  });

  it('is empty for a log without errors, and for a file that does not exist', async () => {
    const path = join(tmp(), 'quiet.log');
    await writeFile(path, 'ready\nserving\n');
    expect(await errorLines(path)).to.deep.equal([]);
    expect(await errorLines(join(tmp(), 'missing.log'))).to.deep.equal([]);
  });
});
