/**
 * Deliberately seeded defects of the reference server, each off by default. A correct chaos tool
 * must catch every one of them; `kalam-chaos selftest` proves it does.
 */
export const DEFECTS = {
  'no-fsync': 'acknowledge an INSERT once its WAL frame is written, without fdatasync (survives SIGKILL, not a power cut)',
  'ack-before-write': 'acknowledge an INSERT at once and append it to the WAL --ack-delay-ms later, from memory',
  'manifest-in-place': 'rewrite manifest.json in place (truncate, write in two halves, no fsync) instead of temp file + rename',
  'drop-hot-before-manifest': 'delete flushed rows from the hot tier before the manifest that names their segment is committed',
  'no-dedupe': 'reads count a row present in both the hot and the cold tier twice',
  'trust-corrupt-manifest': 'load any manifest.json that parses, without checking it against the committed copy or the segment footers',
  'panic-on-bad-manifest': 'an unparseable manifest.json makes the server panic (Rust-style trace, exit 101) instead of rebuilding it',
  'stuck-flush-after-restart': 'a flush job running at a kill stays running after the restart, and every later flush of its table is skipped as already running',
  'flush-drops-tombstone': 'a flush writes only live rows to the segment and drops tombstones from the hot tier, so a key deleted after an earlier flush comes back from its older segment',
  'table-unavailable-after-restart': 'at the first restart the first SHARED table goes missing from the provider for that incarnation: reads say not found, writes fail',
  'partial-insert-on-conflict': 'a multi-row INSERT that meets a duplicate primary key answers the error but keeps the rows before the conflicting one',
  'update-not-durable': 'an UPDATE is applied to the hot tier and acknowledged, but its new row version never reaches the WAL: only a flush saves it, a restart loses it',
  'ddl-not-durable': 'acknowledge CREATE TABLE and ALTER TABLE ADD COLUMN before their WAL frame is written: it is held back until the next statement that commits, so a kill right after such a DDL loses it',
  'stale-reads': 'SELECTs of a table answer from a snapshot of its rows refreshed at most every 200 ms, so a read can miss rows acknowledged before it began',
  'flush-policy-unbounded': "CREATE TABLE accepts a FLUSH_POLICY above KalamDB's bounds (rows:1000000 and more, interval:86400 s and more) instead of refusing it",
  'migration-drops-shared-tables': 'opening a format-1 data directory, the migration to format 2 leaves out every SHARED table and its rows, and says nothing of it',
  'migration-forgets-manifest-cache': 'opening a format-1 data directory, the migration leaves out the manifest cache, and the server trusts it: the first flush after the upgrade starts again at batch-0, replacing a committed segment',
  'resume-skips-first-change': 'a live query resumed with from_seq_id leaves out the first row version after the cursor (from its initial data, or the first change when there is none)',
  'live-survives-restart': 'system.live is kept in the data directory, so after a restart it still lists the subscriptions of connections that died with the last incarnation',
} as const satisfies Record<string, string>;

export type DefectName = keyof typeof DEFECTS;

export function isDefectName(name: string): name is DefectName {
  return Object.hasOwn(DEFECTS, name);
}
