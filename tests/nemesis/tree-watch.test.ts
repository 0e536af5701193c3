import { expect } from 'chai';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../support/temp.js';
import { watchTree } from '../../src/nemesis/tree-watch.js';
import { waitFor } from '../../src/util/wait.js';

describe('tree watch (one inotify watch per folder)', () => {
  const temp = useTempDir();

  it('reports by name what happens in a nested folder created after it started, and every replacement of a file', async () => {
    const root = temp();
    const events: string[] = [];
    const watch = watchTree(root, (type, path) => events.push(`${type} ${path}`));
    try {
      const scope = join(root, 'chaos', 't', 'alice');
      mkdirSync(scope, { recursive: true });
      // Files made before the new folder's own watch exists are announced once, by a readdir; wait for the watch.
      await waitFor(() => events.includes(`rename ${join('chaos', 't', 'alice')}`) || undefined, { timeoutMs: 5_000, what: 'the new folder' });
      for (let n = 1; n <= 3; n++) {
        writeFileSync(join(scope, `batch-${n}.parquet.tmp`), 'rows');
        renameSync(join(scope, `batch-${n}.parquet.tmp`), join(scope, `batch-${n}.parquet`));
        writeFileSync(join(scope, 'manifest.json.tmp'), String(n));
        renameSync(join(scope, 'manifest.json.tmp'), join(scope, 'manifest.json'));
      }
      appendFileSync(join(scope, 'batch-3.parquet'), 'more');
      const manifest = join('chaos', 't', 'alice', 'manifest.json');
      // Node 20's recursive fs.watch misses the temp files and loses the third replacement; this must not.
      await waitFor(() => events.filter((event) => event === `rename ${manifest}`).length >= 3 || undefined, { timeoutMs: 5_000, what: 'three manifest replacements' });
      await waitFor(() => events.includes(`change ${join('chaos', 't', 'alice', 'batch-3.parquet')}`) || undefined, { timeoutMs: 5_000, what: 'the append' });
      for (let n = 1; n <= 3; n++) expect(events, `batch-${n}.parquet.tmp`).to.include(`rename ${join('chaos', 't', 'alice', `batch-${n}.parquet.tmp`)}`);
    } finally {
      watch.close();
    }
  });
});
