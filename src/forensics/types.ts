/** Where a lost acknowledged row was last seen on disk. */
export interface SegmentLocation {
  /** The crash snapshot (snapshots/cycle-K.tar.gz) it was seen in; null for the live data directory. */
  readonly snapshotCycle: number | null;
  /** Relative to the data directory: storage/ns/table[/user]/batch-N.parquet (or a leftover .tmp). */
  readonly path: string;
  /** Whether that source's manifest.json committed the file. */
  readonly namedByManifestThen: boolean;
  /** Whether the live data directory's manifest still commits a file of that name. */
  readonly namedByCurrentManifest: boolean;
  /** Whether the live file of that name still holds the row. */
  readonly stillInLiveFile: boolean;
}

export type LostPlacement =
  | { readonly kind: 'segment'; readonly last: SegmentLocation; readonly sightings: number }
  /** Never in a segment of any crash snapshot nor of the live data directory: the row lived only in the hot tier. */
  | { readonly kind: 'hot-only' }
  /** Not in any segment searched, but the search was incomplete, so hot-only cannot be claimed. */
  | { readonly kind: 'unseen'; readonly reason: string };

export interface LostRange {
  readonly first: number;
  readonly last: number;
  readonly count: number;
  readonly placement: LostPlacement;
}

/** Attached to a `lost` violation: its ids grouped by where they were last seen. */
export interface LostRowsForensics {
  readonly ranges: LostRange[];
}

export interface ScopeForensics {
  readonly table: string;
  readonly partition: string | null;
  readonly ranges: LostRange[];
}

/** The forensics of a whole run's losses. */
export interface LossForensics {
  readonly scopes: ScopeForensics[];
  /** Crash snapshots unpacked and searched, by cycle. */
  readonly snapshotsSearched: number[];
  readonly liveSearched: boolean;
  /** Why the search is incomplete (snapshots off, capped, unreadable...), if it is. */
  readonly incomplete: string[];
  readonly unreadableFiles: string[];
  readonly durationMs: number;
  /** The tool failed: the forensics says nothing. */
  readonly error?: string;
}
