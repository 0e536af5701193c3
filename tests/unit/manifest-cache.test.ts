import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { evictManifestCacheEntry, manifestCacheKey, rocksdictPython } from '../../src/nemesis/manifest-cache.js';
import { useTempDir } from '../support/temp.js';

// The key layout kalamdb_store writes (seen in a real data directory): b'p', the partition name's
// length as u32 big-endian, the name, then ns\0table\0scope\0.
const MAKE_DB = `
import sys
from rocksdict import Options, Rdict
def key(partition, rest):
    name = partition.encode()
    return b"p" + len(name).to_bytes(4, "big") + name + rest
opts = Options(raw_mode=True); opts.create_if_missing(True); opts.create_missing_column_families(True)
db = Rdict(sys.argv[1], options=opts, column_families={"system_meta": Options(raw_mode=True), "system_index": Options(raw_mode=True)})
for scope in (b"alice", b"bob"):
    rest = b"chaos\\0user_rows\\0" + scope + b"\\0"
    db.get_column_family("system_meta")[key("manifest_cache", rest)] = b"entry"
    db.get_column_family("system_index")[key("manifest_pending_write_idx", rest)] = rest
db.close()
`;
const LIST_KEYS = `
import sys
from rocksdict import Options, Rdict
db = Rdict(sys.argv[1], options=Options(raw_mode=True), column_families={c: Options(raw_mode=True) for c in Rdict.list_cf(sys.argv[1])})
for c in ("system_meta", "system_index"):
    for k in db.get_column_family(c).keys(): print(c, k[-10:].decode(errors="replace").replace("\\0", "/"))
db.close()
`;

describe('manifest cache eviction (kalamdb RocksDB)', () => {
  const tempDir = useTempDir();

  it('names the cache key of a manifest path, shared or per user', () => {
    expect(manifestCacheKey('storage/chaos/user_rows/alice/manifest.json')).to.deep.equal({ namespace: 'chaos', table: 'user_rows', scope: 'alice' });
    expect(manifestCacheKey('storage/chaos/shared_rows/manifest.json')).to.deep.equal({ namespace: 'chaos', table: 'shared_rows', scope: 'shared' });
    expect(manifestCacheKey('storage/chaos/shared_rows/batch-1.parquet')).to.equal(undefined);
  });

  it("removes one scope's entry and its pending-write index, leaving the others", async function () {
    const python = rocksdictPython();
    if ('reason' in python) {
      if (process.env.CI === 'true') throw new Error(python.reason);
      this.skip();
    }
    const dataDir = tempDir();
    const rocksdb = join(dataDir, 'rocksdb');
    execFileSync(python.python, ['-c', MAKE_DB, rocksdb]);
    const first = await evictManifestCacheEntry(dataDir, 'storage/chaos/user_rows/alice/manifest.json');
    expect(first).to.deep.equal({ done: true, key: 'chaos:user_rows:alice', entryExisted: true, pendingIndex: true });
    const keys = execFileSync(python.python, ['-c', LIST_KEYS, rocksdb], { encoding: 'utf8' }).trim().split('\n');
    expect(keys.filter((line) => line.includes('alice'))).to.deep.equal([]);
    expect(keys.filter((line) => line.includes('bob'))).to.have.length(2);
    const again = await evictManifestCacheEntry(dataDir, 'storage/chaos/user_rows/alice/manifest.json');
    expect(again).to.include({ done: true, entryExisted: false });
  });
});
