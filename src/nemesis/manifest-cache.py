"""Deletes one scope's manifest cache entry from a stopped kalamdb-server's RocksDB.

kalamdb-server 0.4.3-rc.4 reads manifest.json only when the RocksDB manifest cache has no entry for
the scope, and nothing in it removes entries ([manifest_cache] max_entries is parsed but never
enforced; the eviction executor is never scheduled). A corruption campaign takes the entry out so
the restarted server must meet the damaged file.

Usage: manifest-cache.py evict ROCKSDB_DIR NAMESPACE TABLE SCOPE   (SCOPE: a user id or "shared")
Prints one JSON line: {"evicted": bool, "pendingIndex": bool}. Needs the rocksdict package.
"""
import json
import os
import sys

from rocksdict import Options, Rdict


def partition_key(partition: str, key: bytes) -> bytes:
    # kalamdb_store keys: b'p', the partition name's length (u32 big-endian), the name, the key.
    name = partition.encode()
    return b"p" + len(name).to_bytes(4, "big") + name + key


def main() -> None:
    if len(sys.argv) != 6 or sys.argv[1] != "evict":
        sys.exit("usage: manifest-cache.py evict ROCKSDB_DIR NAMESPACE TABLE SCOPE")
    _, _, path, namespace, table, scope = sys.argv
    manifest_id = b"".join(part.encode() + b"\0" for part in (namespace, table, scope))
    families = Rdict.list_cf(path)
    db = Rdict(path, options=Options(raw_mode=True), column_families={name: Options(raw_mode=True) for name in families})
    try:
        meta = db.get_column_family("system_meta")
        index = db.get_column_family("system_index")
        entry = partition_key("manifest_cache", manifest_id)
        pending = partition_key("manifest_pending_write_idx", manifest_id)
        evicted = meta.get(entry) is not None
        pending_index = index.get(pending) is not None
        if evicted:
            del meta[entry]
        if pending_index:
            del index[pending]
        db.flush()
    finally:
        db.close()
    # rocksdict leaves its own options file beside the database; the server does not need it.
    try:
        os.remove(os.path.join(path, "rocksdict-config.json"))
    except FileNotFoundError:
        pass
    print(json.dumps({"evicted": evicted, "pendingIndex": pending_index}))


if __name__ == "__main__":
    main()
