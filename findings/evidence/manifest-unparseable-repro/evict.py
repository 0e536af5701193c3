import sys
from rocksdict import Rdict, Options
path, ns, table, scope = sys.argv[1:5]
cfs = Rdict.list_cf(path)
db = Rdict(path, options=Options(raw_mode=True), column_families={c: Options(raw_mode=True) for c in cfs})
def key(part, rest):
    p = part.encode()
    return b'p' + len(p).to_bytes(4, 'big') + p + rest
rest = ns.encode() + b'\0' + table.encode() + b'\0' + scope.encode() + b'\0'
meta = db.get_column_family('system_meta'); idx = db.get_column_family('system_index')
k1 = key('manifest_cache', rest); k2 = key('manifest_pending_write_idx', rest)
print('entry present', meta.get(k1) is not None, 'index present', idx.get(k2) is not None)
del meta[k1]
if idx.get(k2) is not None: del idx[k2]
db.flush(); db.close()
