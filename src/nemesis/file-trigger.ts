import { basename } from 'node:path';
import type { FlushPhase } from './flush-phase.js';

/** The flush phases a file event under storage/ can mark. */
export type FilePhase = Extract<FlushPhase, 'tmp-written' | 'segment-renamed' | 'manifest-written'>;

export function isFilePhase(phase: FlushPhase): phase is FilePhase {
  return phase === 'tmp-written' || phase === 'segment-renamed' || phase === 'manifest-written';
}

const SEGMENT = /^batch-\d+\.parquet$/;
/** The segment's temp file; KalamDB's object store first writes it as `batch-N.parquet.tmp#K`, then renames it. */
export const SEGMENT_TMP = /^batch-\d+\.parquet\.tmp(#\d+)?$/;

/**
 * Feeds on the raw events of a storage/ watch and says, once, what was observed when the phase is
 * reached (undefined until then). Each fires at the first sign of its phase, which leaves the kill
 * the whole phase to land in:
 * - tmp-written: a segment temp file appears (`batch-N.parquet.tmp`, or the binary's `.tmp#K`);
 * - segment-renamed: a `batch-N.parquet` appears (the temp file renamed onto it);
 * - manifest-written: any event naming manifest.json, a rename onto it or a write to it in place.
 */
export function fileTriggerRule(phase: FilePhase): (eventType: 'rename' | 'change', path: string) => string | undefined {
  let fired = false;
  return (eventType, path) => {
    if (fired) return undefined;
    const name = basename(path);
    let observed: string | undefined;
    switch (phase) {
      case 'tmp-written':
        if (eventType === 'rename' && SEGMENT_TMP.test(name)) observed = path;
        break;
      case 'segment-renamed':
        if (eventType === 'rename' && SEGMENT.test(name)) observed = path;
        break;
      case 'manifest-written':
        if (name === 'manifest.json') observed = path;
        break;
    }
    if (observed !== undefined) fired = true;
    return observed;
  };
}

/**
 * hot-deleting: armed by the first event naming manifest.json under storage/, fired by the next
 * write to the hot tier (rocksdb/), where the flushed rows are deleted.
 */
export function hotDeleteRule(): (tree: 'storage' | 'rocksdb', eventType: 'rename' | 'change', path: string) => string | undefined {
  let manifest: string | undefined;
  let fired = false;
  return (tree, eventType, path) => {
    if (fired) return undefined;
    if (tree === 'storage') {
      if (basename(path) === 'manifest.json') manifest ??= path;
      return undefined;
    }
    if (!manifest || eventType !== 'change') return undefined;
    fired = true;
    return `${manifest} then ${path}`;
  };
}
