import { expect } from 'chai';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { MANIFEST_READ_PATH_LOG_TARGETS, renderKalamdbConfig } from '../../src/target/kalamdb-config.js';
import { createKalamdbTarget } from '../../src/target/kalamdb.js';
import { useTempDir } from '../support/temp.js';

describe('kalamdb server.toml', () => {
  const input = {
    host: '127.0.0.1',
    port: 41234,
    dataDir: '/runs/x/data',
    logsDir: '/runs/x/servers/incarnation-0/server-logs',
    syncWrites: true,
    flush: { defaultRowLimit: 500, defaultTimeIntervalSeconds: 60, checkIntervalSeconds: 2 },
    maxQueryLimit: 1000,
    defaultQueryLimit: 50,
    shutdownFlushTimeoutSeconds: 30,
  };

  it('sets every section INTERFACE.md says a harness sets', () => {
    const config = parse(renderKalamdbConfig(input)) as Record<string, Record<string, unknown>>;
    expect(config.server).to.deep.equal({ host: '127.0.0.1', port: 41234 });
    expect(config.storage).to.deep.include({
      data_path: '/runs/x/data',
      shared_tables_template: '{namespace}/{tableName}',
      user_tables_template: '{namespace}/{tableName}/{userId}',
    });
    expect(config.storage!.rocksdb).to.deep.equal({ sync_writes: true, disable_wal: false });
    expect(config.flush).to.deep.equal({ default_row_limit: 500, default_time_interval: 60, check_interval_seconds: 2 });
    expect(config.logging).to.deep.include({ logs_path: input.logsDir, format: 'json' });
    expect(config.limits).to.deep.equal({ max_query_limit: 1000, default_query_limit: 50 });
    expect((config.shutdown as Record<string, unknown>).flush).to.deep.equal({ timeout: 30 });
  });

  it('shrinks the manifest cache only when asked (corruption campaigns), so damaged manifests are read', () => {
    expect((parse(renderKalamdbConfig(input)) as Record<string, unknown>).manifest_cache).to.equal(undefined);
    const small = parse(renderKalamdbConfig({ ...input, manifestCacheMaxEntries: 1 })) as Record<string, unknown>;
    expect(small.manifest_cache).to.deep.equal({ max_entries: 1 });
  });

  it('writes [logging.targets] only when asked, keeping the global level at info', () => {
    expect((parse(renderKalamdbConfig(input)) as Record<string, Record<string, unknown>>).logging!.targets).to.equal(undefined);
    const config = parse(renderKalamdbConfig({ ...input, logTargets: MANIFEST_READ_PATH_LOG_TARGETS })) as Record<string, Record<string, unknown>>;
    expect(config.logging!.level).to.equal('info');
    expect(config.logging!.targets).to.deep.equal({ ...MANIFEST_READ_PATH_LOG_TARGETS });
  });

  describe('the kalamdb target\'s plan()', () => {
    const tempDir = useTempDir();
    const canaries = { user: 'root', password: 'Pw-Canary-3a81f0c2-do-not-write', jwtSecret: 'Jwt-Canary-9d4e7b1a6c25f3e08b7d-do-not-write' };

    /** Every regular file under `dir`, recursively; a symbolic link is an error (plan() makes none). */
    const filesUnder = async (dir: string): Promise<string[]> => {
      const files: string[] = [];
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) files.push(...(await filesUnder(path)));
        else if (entry.isFile()) files.push(path);
        else expect.fail(`${path} is neither a file nor a folder`);
      }
      return files;
    };

    for (const manifestCacheMaxEntries of [undefined, 1]) {
      it(`writes neither secret into any file it creates, and hands both to the server in its environment${manifestCacheMaxEntries ? ' (corruption campaign config)' : ''}`, async () => {
        const root = tempDir();
        const dataDir = join(root, 'data');
        const dir = join(root, 'servers', 'incarnation-0');
        await mkdir(dir, { recursive: true });
        const target = createKalamdbTarget(
          { kind: 'kalamdb', serverBin: '/bin/true', auth: 'bearer', syncWrites: true, ...(manifestCacheMaxEntries ? { manifestCacheMaxEntries } : {}) },
          dataDir,
          canaries,
        );
        const plan = await target.plan({ index: 0, dir, port: 41234 });

        // The secrets do travel, by environment only: without this the file checks below would pass
        // for a target that lost its credentials altogether.
        expect(plan.env.KALAMDB_ROOT_PASSWORD).to.equal(canaries.password);
        expect(plan.env.KALAMDB_JWT_SECRET).to.equal(canaries.jwtSecret);
        expect(plan.args.join(' ')).to.not.include(canaries.password).and.not.include(canaries.jwtSecret);

        const configPath = join(dir, 'server.toml');
        expect(plan.args).to.deep.equal([configPath]);
        const files = await filesUnder(root);
        expect(files, 'plan() wrote the server.toml it passes to the server').to.include(configPath);
        // The file is the real config (not an empty stand-in), so the search below reads what the server reads.
        expect((parse(await readFile(configPath, 'utf8')) as Record<string, Record<string, unknown>>).server).to.deep.equal({ host: '127.0.0.1', port: 41234 });
        for (const file of files) {
          const bytes = await readFile(file);
          expect(bytes.includes(canaries.password), `${file} holds the root password`).to.equal(false);
          expect(bytes.includes(canaries.jwtSecret), `${file} holds the JWT secret`).to.equal(false);
        }
        expect(JSON.stringify(target.describe())).to.not.include(canaries.password).and.not.include(canaries.jwtSecret);
      });
    }
  });
});
