import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { damagedScopeOf, extractReadPaths, isVerboseLogLine, logMessage } from '../../src/checker/recovery-outcome/read-path.js';

// Real lines of kalamdb-server 0.4.3-rc.4 (JSON log, [logging.targets] as kalamdb-config.ts writes
// them): a scan of ns.t for user root after its manifest cache entry was evicted, then the INSERT
// that read the unparseable manifest.json and cached an empty manifest.
const readFixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', name), 'utf8').trim().split('\n');
const fixture = readFixture('kalamdb-manifest-read-paths.jsonl');
// A campaign's scan of chaos.user_rows for carol, whose batch-1.parquet had been truncated.
const parquetFixture = readFixture('kalamdb-parquet-read-paths.jsonl');

describe('manifest read paths from kalamdb-server log lines', () => {
  it('reads the message of a JSON line and of a coloured console line', () => {
    expect(logMessage(fixture[0]!)).to.match(/^\[PARQUET_SCAN_ASYNC\] Manifest cache MISS \| table=ns:t \| user=root/);
    expect(logMessage('\u001b[2m2026-12-02T05:52:59Z\u001b[0m \u001b[32m INFO\u001b[0m main x: hello')).to.equal('2026-12-02T05:52:59Z  INFO main x: hello');
  });

  it('tells trace/debug lines from info ones in both forms', () => {
    expect(fixture.every(isVerboseLogLine)).to.equal(true);
    expect(isVerboseLogLine('{"level":"INFO","message":"Registering table ns:t"}')).to.equal(false);
    expect(isVerboseLogLine('\u001b[2m2026-12-02T05:52:59Z\u001b[0m \u001b[34mDEBUG\u001b[0m main x: y')).to.equal(true);
    expect(isVerboseLogLine('2026-12-02T05:52:59Z  WARN main x: y')).to.equal(false);
  });

  it('finds the directory-scan miss and the write path that read manifest.json for the damaged scope', () => {
    const paths = extractReadPaths({ logLines: fixture, scope: { namespace: 'ns', table: 't', scope: 'root', file: 'manifest' } });
    expect(paths.map((path) => path.path)).to.deep.equal(['scan: cache miss, directory scan', 'write-path: read manifest.json, cached 0 segment(s)']);
    // A directory scan goes around manifest.json; the write path reads it.
    expect(paths.map((path) => path.readsFile)).to.deep.equal([false, true]);
  });

  it('counts a scan that read segments as a read of parquet damage, a directory scan included', () => {
    const paths = extractReadPaths({ logLines: fixture, scope: { namespace: 'ns', table: 't', scope: 'root', file: 'parquet' } });
    expect(paths.filter((path) => path.readsFile).map((path) => path.path)).to.deep.equal(['scan: cache miss, directory scan', 'scan: read 1 of 1 segment(s)']);
  });

  it('ignores lines of another scope or table, and names a parse error from an answer', () => {
    expect(extractReadPaths({ logLines: fixture, scope: { namespace: 'ns', table: 't', scope: 'alice', file: 'manifest' } })).to.deep.equal([]);
    expect(extractReadPaths({ logLines: fixture, scope: { namespace: 'ns', table: 'tt', scope: 'root', file: 'manifest' } })).to.deep.equal([]);
    const shared = '{"level":"WARN","message":"⚠️  Manifest cache ERROR | table=ns:s | scope=shared | error=x | fallback=directory_scan"}';
    expect(extractReadPaths({ logLines: [shared], scope: { namespace: 'ns', table: 's', scope: 'shared', file: 'manifest' } }).map((path) => path.path)).to.deep.equal(['scan: cache error, directory scan']);
    const fromAnswer = extractReadPaths({ logLines: [], errors: ['SQL_EXECUTION_ERROR: Invalid operation: Failed to parse manifest.json: EOF'], scope: { namespace: 'ns', table: 't', scope: 'root', file: 'manifest' } });
    expect(fromAnswer).to.have.length(1);
    expect(fromAnswer[0]).to.include({ path: 'pk-check: manifest.json unparseable', readsFile: true });
  });

  it('finds the planned scan and the unreadable segment of parquet damage, for that user only', () => {
    const carol = { namespace: 'chaos', table: 'user_rows', scope: 'carol', file: 'parquet' as const, fileName: 'batch-1.parquet' };
    const paths = extractReadPaths({ logLines: parquetFixture, scope: carol });
    expect(paths.map((path) => path.path)).to.have.members(['scan: segment unreadable (Parquet error: Parquet error: Invalid Parquet file. Corrupt footer)', 'scan: cached manifest planned 2 segment(s)']);
    expect(paths.every((path) => path.readsFile)).to.equal(true);
    expect(extractReadPaths({ logLines: parquetFixture, scope: { ...carol, scope: 'bob' } })).to.deep.equal([]);
    const missing = 'SQL_EXECUTION_ERROR: Failed to open Parquet stream: Object at location /d/storage/chaos/user_rows/carol/batch-1.parquet not found';
    expect(extractReadPaths({ logLines: [], errors: [missing], scope: carol }).map((path) => path.path)).to.deep.equal(['query error names the damaged file']);
    expect(extractReadPaths({ logLines: [], errors: [missing], scope: { ...carol, fileName: 'batch-2.parquet' } })).to.deep.equal([]);
  });

  it('knows the scope of a cold-tier path', () => {
    expect(damagedScopeOf('storage/chaos/user_rows/alice/manifest.json', 'manifest')).to.deep.equal({ namespace: 'chaos', table: 'user_rows', scope: 'alice', file: 'manifest', fileName: 'manifest.json' });
    expect(damagedScopeOf('storage/chaos/shared_rows/batch-2.parquet', 'parquet')).to.deep.equal({ namespace: 'chaos', table: 'shared_rows', scope: 'shared', file: 'parquet', fileName: 'batch-2.parquet' });
    expect(damagedScopeOf('rocksdb/CURRENT', 'manifest')).to.equal(undefined);
  });
});
