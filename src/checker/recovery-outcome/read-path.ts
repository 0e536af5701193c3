/**
 * Which of kalamdb-server's read paths met a damaged cold-tier file, from its log lines (JSON lines
 * or console text) and from the answers of statements that touched the damaged scope.
 * The markers are the binary's own messages (kalamdb-tables utils/parquet.rs, pk/existence_checker.rs,
 * kalamdb-core manifest/service.rs); the trace/debug ones need [logging.targets] (kalamdb-config.ts).
 */

/** One read path seen for the damaged scope, with the line that shows it. */
export interface ReadPath {
  readonly path: string;
  /** Whether this path reads the damaged file itself (a directory scan goes around manifest.json). */
  readonly readsFile: boolean;
  readonly line: string;
}

export interface DamagedScope {
  readonly namespace: string;
  readonly table: string;
  /** A user id, or 'shared'. */
  readonly scope: string;
  readonly file: 'manifest' | 'parquet';
  /** The damaged file's name (batch-N.parquet, manifest.json), when an error may name it. */
  readonly fileName?: string;
}

/** The scope a damaged cold-tier path storage/<ns>/<table>[/<user>]/<file> belongs to. */
export function damagedScopeOf(path: string, file: 'manifest' | 'parquet'): DamagedScope | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'storage') return undefined;
  const fileName = parts.at(-1)!;
  if (parts.length === 4) return { namespace: parts[1]!, table: parts[2]!, scope: 'shared', file, fileName };
  if (parts.length === 5) return { namespace: parts[1]!, table: parts[2]!, scope: parts[3]!, file, fileName };
  return undefined;
}

/** The message of a log line: the `message` of a JSON line, else the line without ANSI colours. */
export function logMessage(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not JSON after all: fall through to the text form
    }
  }
  // eslint-disable-next-line no-control-regex
  return trimmed.replace(/\u001b\[[0-9;]*m/g, '');
}

/** A TRACE or DEBUG line (JSON `level`, or the level after the timestamp of a console line). */
export function isVerboseLogLine(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) return /"level":"(TRACE|DEBUG)"/.test(trimmed);
  // eslint-disable-next-line no-control-regex
  return /^\S+\s+(TRACE|DEBUG)\s/.test(trimmed.replace(/\u001b\[[0-9;]*m/g, ''));
}

function mentionsScope(message: string, scope: DamagedScope): boolean {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const key = new RegExp(`(^|[^\\w])${escape(`${scope.namespace}:${scope.table}:${scope.scope}`)}([^\\w]|$)`);
  if (key.test(message)) return true;
  const table = new RegExp(`(^|[^\\w])${escape(scope.namespace)}[.:]${escape(scope.table)}([^\\w]|$)`);
  if (!table.test(message)) return false;
  // Scans say user=alice or scope=Shared; a failed statement's line says user='alice' (the caller).
  if (scope.scope === 'shared') return /scope=shared\b/i.test(message) || /SQL planning failed|Table not found/.test(message);
  return new RegExp(`user='?${escape(scope.scope)}'?([^\\w]|$)`).test(message);
}

const MARKERS: readonly { readonly path: string; readonly pattern: RegExp; readonly readsManifest: boolean }[] = [
  { path: 'cache-entry-corrupted (dropped)', pattern: /Manifest cache entry corrupted/, readsManifest: false },
  { path: 'validation-failed: rebuild triggered', pattern: /\[MANIFEST CORRUPTION\]/, readsManifest: true },
  { path: 'rebuild-started', pattern: /\[MANIFEST REBUILD STARTED\]/, readsManifest: true },
  { path: 'rebuild-completed', pattern: /\[MANIFEST REBUILD COMPLETED\]/, readsManifest: true },
  { path: 'rebuild-failed', pattern: /\[MANIFEST REBUILD FAILED\]/, readsManifest: true },
  { path: 'scan: cache miss, directory scan', pattern: /Manifest cache MISS/, readsManifest: false },
  { path: 'scan: cache error, directory scan', pattern: /Manifest cache ERROR/, readsManifest: false },
  { path: 'pk-check: cache miss, reads manifest.json', pattern: /\[PkExistenceChecker\] No manifest in cache for/, readsManifest: true },
];

/**
 * Read paths that met the damaged scope. For manifest damage a directory scan does not read the
 * file; for parquet damage it reads every parquet file of the folder, as does a planned scan.
 */
export function extractReadPaths(options: { readonly logLines: readonly string[]; readonly errors?: readonly string[]; readonly scope: DamagedScope }): ReadPath[] {
  const { scope } = options;
  const found: ReadPath[] = [];
  const seen = new Set<string>();
  const add = (path: string, readsFile: boolean, line: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    found.push({ path, readsFile, line: line.slice(0, 400) });
  };
  for (const raw of options.logLines) {
    const message = logMessage(raw);
    if (/Failed to parse manifest\.json/.test(message) && scope.file === 'manifest') add('pk-check: manifest.json unparseable', true, message);
    if (!mentionsScope(message, scope)) continue;
    for (const marker of MARKERS) {
      if (!marker.pattern.test(message)) continue;
      const directoryScan = marker.path.includes('directory scan');
      add(marker.path, scope.file === 'manifest' ? marker.readsManifest : directoryScan, message);
    }
    // The first cache write of the scope after a restart is ensure_manifest_initialized: on a cache
    // miss it reads manifest.json and caches what it got (an empty manifest when the file failed).
    const upsert = /upsert_cache_entry: key=\S+ segments=(\d+)/.exec(message);
    if (upsert && scope.file === 'manifest') add(`write-path: read manifest.json, cached ${upsert[1]} segment(s)`, true, message);
    const planned = /\[PARQUET_SCAN_ASYNC\] Got manifest: .*segments=(\d+)/.exec(message);
    if (planned && scope.file === 'parquet') add(`scan: cached manifest planned ${planned[1]} segment(s)`, true, message);
    const unreadable = /Failed to open Parquet stream: (.*?)(?:'|$)/.exec(message);
    if (unreadable && scope.file === 'parquet') add(`scan: segment unreadable (${unreadable[1]!.slice(0, 120)})`, true, message);
    const scanned = /Scan complete: .*total_batches=(\d+) skipped=\d+ scanned=(\d+)/.exec(message);
    if (scanned && scope.file === 'parquet' && Number(scanned[2]) > 0) add(`scan: read ${scanned[2]} of ${scanned[1]} segment(s)`, true, message);
  }
  for (const error of options.errors ?? []) {
    if (/Failed to parse manifest\.json/.test(error) && scope.file === 'manifest') add('pk-check: manifest.json unparseable', true, error);
    if (scope.fileName && scope.file === 'parquet' && error.includes(`/${scope.namespace}/${scope.table}/`) && error.includes(scope.fileName)) add('query error names the damaged file', true, error);
  }
  return found;
}
