import type { SettleReport } from './lossfs.js';

/**
 * What a power cut right after the first boot (server start, schema, users) would have lost: the
 * names never made durable by an fsync of their directory, and contents never fsync'd. Reported
 * apart from the cycles: the campaign settles the data directory at that point (as a journal
 * commit would), so the cycles test what the server does once it is running.
 */
export interface FirstBootFinding {
  /** True when a cut at that moment would have lost something. */
  readonly wouldLoseData: boolean;
  /** Topmost names a cut would have removed, relative to the data directory; a directory takes its contents with it. */
  readonly namesNotDurable: { readonly path: string; readonly kind: 'dir' | 'file'; readonly entriesInside: number }[];
  /** Files whose contents were not (all) fsync'd. */
  readonly filesNotSynced: { readonly path: string; readonly syncedSize: number; readonly size: number; readonly unsyncedBytes: number }[];
  /** Entry operations (create, mkdir, rename ...) whose directory was never fsync'd after them. */
  readonly entryOperationsNotDurable: number;
}

export function firstBootFinding(report: SettleReport): FirstBootFinding {
  return {
    wouldLoseData: report.atRisk.length > 0 || report.files.length > 0,
    namesNotDurable: report.atRisk,
    filesNotSynced: report.files,
    entryOperationsNotDurable: report.entries.length,
  };
}

const MAX_NAMES_SHOWN = 6;

export function describeFirstBoot(finding: FirstBootFinding): string {
  if (!finding.wouldLoseData) return 'first boot: everything was fsync\'d (a cut right after setup would lose nothing)';
  const names = finding.namesNotDurable.map((name) => (name.kind === 'dir' ? `${name.path}/ (${name.entriesInside} inside)` : name.path));
  const shown = names.slice(0, MAX_NAMES_SHOWN).join(', ') + (names.length > MAX_NAMES_SHOWN ? `, … (${names.length} in all)` : '');
  const parts = [];
  if (names.length) parts.push(`${names.length} name(s) never made durable: ${shown}`);
  if (finding.filesNotSynced.length) {
    const bytes = finding.filesNotSynced.reduce((sum, file) => sum + file.unsyncedBytes, 0);
    parts.push(`${finding.filesNotSynced.length} file(s) with ${bytes} byte(s) not fsync'd`);
  }
  return `first boot: a power cut right after setup would have lost ${parts.join('; ')} (settled before cycle 1)`;
}
