import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The on-disk format a data directory is in, as far as the files say. kalamdb-server has no format
 * file: 0.4.3 keeps every partition in a few fixed RocksDB column families (system_meta, hot_data...),
 * 0.4.2 had one column family per partition, so the newest OPTIONS file tells them apart.
 */
export async function diskFormatOf(dataDir: string, kind: 'kalamdb' | 'reference'): Promise<{ format: string; detail?: string }> {
  const rocksdb = join(dataDir, 'rocksdb');
  if (kind === 'reference') {
    const text = await readFile(join(rocksdb, 'FORMAT'), 'utf8').catch(() => undefined);
    return text === undefined ? { format: 'none', detail: 'no rocksdb/FORMAT' } : { format: `reference format ${text.trim()}` };
  }
  const options = (await readdir(rocksdb).catch(() => [] as string[])).filter((name) => /^OPTIONS-\d+$/.test(name)).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  const newest = options.at(-1);
  if (!newest) return { format: 'none', detail: 'no rocksdb/OPTIONS-* file' };
  const text = await readFile(join(rocksdb, newest), 'utf8');
  const families = [...text.matchAll(/^\[CFOptions "([^"]+)"\]/gm)].map((match) => match[1]!);
  const consolidated = families.includes('system_meta') && families.includes('hot_data');
  return {
    format: consolidated ? 'kalamdb rocksdb: fixed column families (system_meta, hot_data...; 0.4.3 layout)' : 'kalamdb rocksdb: one column family per partition (0.4.2 layout)',
    detail: `${newest}: ${families.length} column families: ${families.slice(0, 40).join(', ')}`,
  };
}
