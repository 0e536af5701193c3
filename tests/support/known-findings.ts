import type { RunResult, ViolationRecord } from '../../src/report/result.js';

/**
 * Violations the real kalamdb-server (0.4.3-rc.4, 66dc492b) has been shown to produce that are
 * KalamDB's own behaviour, each named by its section in FINDINGS.md. A real-server test accepts a
 * failing campaign only when every violation matches one of these; anything else is a false alarm of
 * ours or a new finding, to be triaged and written down in FINDINGS.md and here.
 */
export interface KnownFinding {
  /** The FINDINGS.md section. */
  readonly id: string;
  readonly title: string;
  readonly matches: (record: ViolationRecord, run: RunResult) => boolean;
}

/** The scopes of `table` that a read in `cycle` found missing ("Table not found"), or that table-unavailable named. */
function tableUnavailableIn(run: RunResult, cycle: number, table: string): boolean {
  return run.violations.some(
    ({ cycle: other, violation }) =>
      other === cycle &&
      ((violation.kind === 'unreadable' && violation.table === table && /table not found/i.test(violation.error)) ||
        (violation.kind === 'table-unavailable' && violation.table === table)),
  );
}

const MANIFEST_KINDS_LOST_SILENTLY = new Set(['truncate', 'zero-range', 'invalid-json', 'delete', 'bit-flip', 'empty']);
const MANIFEST_KINDS_TRUSTED = new Set(['drop-segment', 'rollback']);

function silentLossOfManifest(record: ViolationRecord, kinds: ReadonlySet<string>): boolean {
  const { violation } = record;
  if (violation.kind !== 'recovery-outcome' || violation.outcome !== 'silent-loss') return false;
  const [file, kind] = violation.corruption.split(':');
  return file === 'manifest' && kind !== undefined && kinds.has(kind);
}

const SEGMENT_GONE = /Failed to open Parquet stream.*not found/i;

/** Whether a read of `table` in `cycle` failed because a segment its manifest names is gone. */
function segmentGoneIn(run: RunResult, cycle: number, table: string): boolean {
  return run.violations.some(
    ({ cycle: other, violation }) => other === cycle && violation.kind === 'unreadable' && violation.table === table && SEGMENT_GONE.test(violation.error),
  );
}

function cutPower(run: RunResult): boolean {
  return run.scenario === 'power-loss' || run.cycles.some((cycle) => cycle.powerCut !== undefined);
}

export const KNOWN_KALAMDB_FINDINGS: readonly KnownFinding[] = [
  {
    id: 'F9',
    title: 'a power cut after a flush loses the flushed rows: the segment is gone, the manifest still names it',
    matches: (record, run) => {
      if (!cutPower(run)) return false;
      const { violation } = record;
      if (violation.kind === 'unreadable') return SEGMENT_GONE.test(violation.error);
      if (violation.kind === 'target-unrecoverable') return violation.failures.some((failure) => SEGMENT_GONE.test(failure));
      if (violation.kind === 'lost' || violation.kind === 'table-unavailable') return segmentGoneIn(run, record.cycle, violation.table);
      return false;
    },
  },
  {
    id: 'F1',
    title: 'a flush job killed mid-flush stays running forever',
    matches: ({ violation }) => violation.kind === 'flush-stuck' && violation.reason === 'already-running',
  },
  {
    id: 'F2',
    title: "'no pending writes' while acknowledged rows are hot",
    matches: ({ violation }) => violation.kind === 'flush-stuck' && violation.reason === 'no-pending-writes',
  },
  {
    id: 'F3',
    title: 'after a restart an existing table is "not found" for a whole incarnation',
    matches: (record, run) => {
      const { violation } = record;
      if (violation.kind === 'table-unavailable') return true;
      if (violation.kind === 'unreadable') return /table not found/i.test(violation.error);
      // The rows of a table the server could not find are reported lost in that cycle.
      return violation.kind === 'lost' && tableUnavailableIn(run, record.cycle, violation.table);
    },
  },
  {
    id: 'F8',
    title: "a completed flush's rows lost after a SIGKILL, their segment name reused",
    matches: ({ violation }, run) => {
      if (violation.kind === 'segment-overwritten') return true;
      // Rows a manifest had committed to a segment, gone after a kill (no power cut): F8's signature, read from loss forensics.
      if (violation.kind !== 'lost' || cutPower(run) || !violation.forensics || violation.forensics.ranges.length === 0) return false;
      return violation.forensics.ranges.every(
        (range) => range.placement.kind === 'segment' && range.placement.last.namedByManifestThen && !range.placement.last.stillInLiveFile,
      );
    },
  },
  {
    id: 'F5',
    title: 'with the default sync_writes = false a power cut loses acknowledged rows',
    matches: ({ violation }, run) =>
      violation.kind === 'lost' && run.scenario === 'power-loss' && (run.target as { syncWrites?: boolean }).syncWrites === false,
  },
  {
    id: 'F6',
    title: 'an unparseable or missing manifest.json without a cache entry loses flushed rows',
    matches: (record) => silentLossOfManifest(record, MANIFEST_KINDS_LOST_SILENTLY),
  },
  {
    id: 'F7',
    title: 'a parseable but wrong manifest is trusted',
    matches: (record) => silentLossOfManifest(record, MANIFEST_KINDS_TRUSTED),
  },
  {
    id: 'F10',
    title: 'a row deleted after its key was flushed comes back at the next flush that writes rows',
    matches: ({ violation }) => violation.kind === 'resurrected',
  },
  {
    id: 'F11',
    title: 'concurrent SET n = n + 1 on one row lose increments, every one acknowledged with row_count 1',
    matches: ({ violation }) => violation.kind === 'counter-mismatch' && /an acknowledged increment lost/.test(violation.detail),
  },
  {
    id: 'F12',
    title: 'after a restart an UPDATE of a row that was not written since answers "Updated 0 row(s)" and changes nothing',
    matches: ({ violation, cycle }) => violation.kind === 'lost-update' && cycle >= 2 && /changed 0 rows/.test(violation.detail),
  },
];

/** The finding a violation is, if it is a known one. */
export function knownFindingOf(record: ViolationRecord, run: RunResult): KnownFinding | undefined {
  return KNOWN_KALAMDB_FINDINGS.find((finding) => finding.matches(record, run));
}

/** The violations of a run that no known finding explains. */
export function unexplainedViolations(run: RunResult): ViolationRecord[] {
  return run.violations.filter((record) => knownFindingOf(record, run) === undefined);
}
