import type { LostRange } from './types.js';

/** One line per range, for a summary or the CLI. */
export function describeRange(range: LostRange): string {
  const ids = range.first === range.last ? `id ${range.first}` : `ids ${range.first}..${range.last} (${range.count})`;
  const placement = range.placement;
  switch (placement.kind) {
    case 'hot-only':
      return `${ids}: hot tier only (in no segment of any crash snapshot nor of the live data dir)`;
    case 'unseen':
      return `${ids}: in no segment searched (${placement.reason})`;
    case 'segment': {
      const last = placement.last;
      if (last.snapshotCycle === null) {
        return `${ids}: still in the live data dir at ${last.path} (${last.namedByCurrentManifest ? 'committed by the current manifest' : 'an orphan the current manifest does not name'})`;
      }
      const then = last.namedByManifestThen ? 'committed by its manifest then' : 'not named by its manifest then';
      const now = last.stillInLiveFile
        ? 'the live file still holds it'
        : last.namedByCurrentManifest
          ? 'the current manifest names a file of that name without the row'
          : 'the current manifest does not name that file';
      return `${ids}: last seen in snapshot cycle-${last.snapshotCycle} at ${last.path} (${then}; ${now})`;
    }
  }
}
