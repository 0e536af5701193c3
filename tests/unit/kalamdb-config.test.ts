import { expect } from 'chai';
import { parse } from 'smol-toml';
import { MANIFEST_READ_PATH_LOG_TARGETS, renderKalamdbConfig } from '../../src/target/kalamdb-config.js';

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

  it('never writes a secret into the file', () => {
    const text = renderKalamdbConfig(input);
    expect(text).to.not.match(/jwt_secret|password\s*=/);
  });
});
