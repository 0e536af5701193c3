import { basename } from 'node:path';
import type { FlushPhase } from './flush-phase.js';

/** The flush phases a file event under storage/ can mark. */
export type FilePhase = Extract<FlushPhase, 'tmp-written' | 'segment-renamed' | 'manifest-written'>;

export function isFilePhase(phase: FlushPhase): phase is FilePhase {
  return phase === 'tmp-written' || phase === 'segment-renamed' || phase === 'manifest-written';
}

const SEGMENT = /^batch-\d+\.parquet$/;
const SEGMENT_TMP = /^batch-\d+\.parquet\.tmp$/;

/**
 * Feeds on the raw events of a storage/ watch and says, once, what was observed when the phase is
 * reached (undefined until then):
 * - tmp-written: a `batch-N.parquet.tmp` name appears;
 * - segment-renamed: the latest moment the flush is still there: a segment has appeared and the
 *   manifest's commit starts (its temp file appears, or manifest.json itself is touched);
 * - manifest-written: any event naming manifest.json, a rename onto it or a write to it in place.
 */
export function fileTriggerRule(phase: FilePhase): (eventType: 'rename' | 'change', path: string) => string | undefined {
  let segmentSeen: string | undefined;
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
        if (SEGMENT.test(name)) segmentSeen ??= path;
        else if (segmentSeen && (name === 'manifest.json.tmp' || name === 'manifest.json')) observed = `${segmentSeen} then ${path}`;
        break;
      case 'manifest-written':
        if (name === 'manifest.json') observed = path;
        break;
    }
    if (observed !== undefined) fired = true;
    return observed;
  };
}
