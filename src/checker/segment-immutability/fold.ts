/**
 * A committed parquet segment is immutable: once a manifest has committed `batch-N.parquet` in a
 * scope folder, that name must keep its content. KalamDB restarts numbering at batch-0 when a
 * manifest is lost and replaced by an empty one, so a reused name is how an overwrite shows.
 *
 * The check is a fold over the history: `segment-committed` events carry each newly seen
 * (name, content) with its sha256, so it can be recomputed from any run folder.
 */
import type { HistoryEvent } from '../../history/events.js';
import type { SegmentHash } from '../../storage/segment-hashes.js';
import type { CheckResult, StorageInspectionMoment, Violation } from '../types.js';
import type { SegmentSighting } from '../../vocabulary/violations.js';

export const SEGMENT_IMMUTABILITY = 'segment-immutability';

export type { SegmentSighting } from '../../vocabulary/violations.js';

export type SegmentCommittedEvent = Extract<HistoryEvent, { type: 'segment-committed' }>;

const keyOf = (scope: string, file: string): string => `${scope}/${file}`;

export class SegmentImmutability {
  /** The content last recorded for each scope/file. */
  private readonly last = new Map<string, SegmentSighting>();
  /** Files a nemesis damaged on purpose: their content changes are the fault, not a finding. */
  private readonly damaged = new Set<string>();

  /** The events to record for an inspection: names never seen, and names whose content differs from the last record. */
  sightings(hashes: readonly SegmentHash[], cycle: number, when: StorageInspectionMoment): SegmentCommittedEvent[] {
    return hashes
      .filter((hash) => this.last.get(keyOf(hash.scope, hash.file))?.sha256 !== hash.sha256)
      .map((hash) => ({ type: 'segment-committed', cycle, when, ...hash }));
  }

  /** Folds one history event in; a changed content under a recorded name gives a violation. */
  note(event: HistoryEvent): Violation[] {
    if (event.type === 'corruption') {
      this.damaged.add(event.path);
      return [];
    }
    if (event.type !== 'segment-committed') return [];
    const key = keyOf(event.scope, event.file);
    const seen: SegmentSighting = { sha256: event.sha256, size: event.size, cycle: event.cycle, when: event.when, manifestVersion: event.manifestVersion };
    const before = this.last.get(key);
    this.last.set(key, seen);
    if (!before || before.sha256 === seen.sha256 || this.damaged.has(key)) return [];
    return [{ kind: 'segment-overwritten', scope: event.scope, file: event.file, before, after: seen }];
  }
}

/** Every overwrite a run's history shows, recomputed from its events alone. */
export function segmentOverwritesOf(events: Iterable<HistoryEvent>): Violation[] {
  const fold = new SegmentImmutability();
  const violations: Violation[] = [];
  for (const event of events) violations.push(...fold.note(event));
  return violations;
}

export function segmentImmutabilityCheck(violations: Violation[], cycle: number, when: StorageInspectionMoment, segments: number): CheckResult {
  const check = when === 'after-crash' ? `${SEGMENT_IMMUTABILITY}-after-crash` : when === 'end' ? `${SEGMENT_IMMUTABILITY}-at-end` : SEGMENT_IMMUTABILITY;
  return { check, cycle, ok: violations.length === 0, violations, stats: { segments } };
}
