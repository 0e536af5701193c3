import type { ViolationKind } from '../checker/types.js';
import type { DefectName } from '../reference-server/defects.js';
import type { WorkloadName } from '../vocabulary/scenario.js';

/** One row of the self-test: a campaign against the reference server and what it must conclude. */
export interface SelftestCase {
  readonly name: string;
  readonly scenario: string;
  /** Command-line flags of `kalam-chaos run` (besides the scenario, seed and output). */
  readonly flags: Readonly<Record<string, string | boolean | string[]>>;
  /** Absent: the correct server, which must pass. */
  readonly defect?: DefectName;
  /**
   * For a defect: at least one of these violation kinds must be reported. 'no-violation': pass, or
   * inconclusive because a watch-triggered flush kill missed its phase (no window without --flush-delay-ms).
   */
  readonly expect: 'pass' | 'no-violation' | readonly ViolationKind[];
  /** Part of the short matrix CI runs. */
  readonly short: boolean;
  /** Needs lossfs (FUSE); reported as skipped, with the reason, where the machine cannot provide it. */
  readonly needsPowerLoss?: boolean;
}

/**
 * A workload's seeded defect: the correct server passes the workload, the defect is caught by it
 * (short matrix), and the same defect passes `--workload append`, which shows what the workload adds.
 */
function workloadDefectRows(workload: WorkloadName, defect: DefectName, expect: readonly ViolationKind[], flags: Readonly<Record<string, string>>): SelftestCase[] {
  const scenario = 'kill-mid-insert';
  return [
    { name: `correct / ${scenario} --workload ${workload}`, scenario, flags: { ...flags, workload }, expect: 'pass', short: false },
    { name: `${defect} / ${scenario} --workload ${workload}`, scenario, defect, flags: { ...flags, workload }, expect, short: true },
    { name: `${defect} / ${scenario} --workload append`, scenario, defect, flags: { ...flags, workload: 'append' }, expect: 'pass', short: false },
  ];
}

const PHASES = ['job-running', 'tmp-written', 'segment-renamed', 'manifest-written', 'hot-deleting', 'random'] as const;

/**
 * Every scenario against the correct server, and every seeded defect against a scenario that must
 * catch it. The flush defects are caught with `--flush-delay-ms` widening their window: without it
 * the correct server's campaigns pass all the same, which the correct rows show.
 */
export const SELFTEST_MATRIX: readonly SelftestCase[] = [
  { name: 'correct / kill-mid-insert', scenario: 'kill-mid-insert', flags: { cycles: '2', trigger: 'acks:20-80', workload: 'append' }, expect: 'pass', short: true },
  ...PHASES.map(
    (phase): SelftestCase => ({
      name: `correct / kill-mid-flush --phase ${phase}`,
      scenario: 'kill-mid-flush',
      flags: { cycles: '2', phase, workload: 'append' },
      expect: phase === 'random' ? 'pass' : 'no-violation',
      short: phase === 'manifest-written' || phase === 'random',
    }),
  ),
  {
    name: 'correct / kill-mid-flush --phase manifest-written --flush-delay-ms 50',
    scenario: 'kill-mid-flush',
    flags: { cycles: '2', phase: 'manifest-written', flushDelayMs: '50', workload: 'append' },
    expect: 'pass',
    short: false,
  },
  { name: 'correct / corrupt-manifest --kind drop-segment', scenario: 'corrupt-manifest', flags: { kind: 'drop-segment', cycles: '1', workload: 'append' }, expect: 'pass', short: true },
  { name: 'correct / corrupt-parquet --kind data-page', scenario: 'corrupt-parquet', flags: { kind: 'data-page', cycles: '1', workload: 'append' }, expect: 'pass', short: true },
  { name: 'correct / corrupt-all', scenario: 'corrupt-all', flags: { workload: 'append' }, expect: 'pass', short: false },
  {
    name: 'trust-corrupt-manifest / corrupt-manifest --kind drop-segment',
    scenario: 'corrupt-manifest',
    defect: 'trust-corrupt-manifest',
    flags: { kind: 'drop-segment', cycles: '1', workload: 'append' },
    expect: ['recovery-outcome'],
    short: true,
  },
  {
    name: 'panic-on-bad-manifest / corrupt-manifest --kind invalid-json',
    scenario: 'corrupt-manifest',
    defect: 'panic-on-bad-manifest',
    flags: { kind: 'invalid-json', cycles: '1', workload: 'append' },
    expect: ['recovery-outcome'],
    short: true,
  },
  { name: 'correct / power-loss', scenario: 'power-loss', flags: { cycles: '2', trigger: 'acks:40-120', workload: 'append' }, expect: 'pass', short: true, needsPowerLoss: true },
  {
    name: 'no-fsync / power-loss',
    scenario: 'power-loss',
    defect: 'no-fsync',
    flags: { cycles: '1', trigger: 'acks:40-120', workload: 'append' },
    expect: ['lost'],
    short: true,
    needsPowerLoss: true,
  },
  // A SIGKILL cannot lose what reached the page cache: this defect must pass here, or the tool cries wolf.
  { name: 'no-fsync / kill-mid-insert', scenario: 'kill-mid-insert', defect: 'no-fsync', flags: { cycles: '2', trigger: 'acks:20-80', workload: 'append' }, expect: 'pass', short: true },
  {
    name: 'ack-before-write / kill-mid-insert',
    scenario: 'kill-mid-insert',
    defect: 'ack-before-write',
    flags: { cycles: '2', trigger: 'acks:20-80', ackDelayMs: '200', workload: 'append' },
    expect: ['lost'],
    short: true,
  },
  {
    name: 'no-dedupe / kill-mid-flush --phase manifest-written',
    scenario: 'kill-mid-flush',
    defect: 'no-dedupe',
    flags: { cycles: '2', phase: 'manifest-written', flushDelayMs: '50', workload: 'append' },
    expect: ['duplicate', 'count-mismatch'],
    short: true,
  },
  {
    name: 'drop-hot-before-manifest / kill-mid-flush --phase segment-renamed',
    scenario: 'kill-mid-flush',
    defect: 'drop-hot-before-manifest',
    flags: { cycles: '2', phase: 'segment-renamed', flushDelayMs: '50', workload: 'append' },
    expect: ['lost'],
    short: true,
  },
  {
    name: 'table-unavailable-after-restart / kill-mid-insert',
    scenario: 'kill-mid-insert',
    defect: 'table-unavailable-after-restart',
    flags: { cycles: '2', trigger: 'acks:40-80', workload: 'append' },
    expect: ['table-unavailable'],
    short: true,
  },
  {
    name: 'stuck-flush-after-restart / kill-mid-flush --phase tmp-written',
    scenario: 'kill-mid-flush',
    defect: 'stuck-flush-after-restart',
    flags: { cycles: '1', phase: 'tmp-written', flushDelayMs: '50', flushDeadlineMs: '2000', workload: 'append' },
    expect: ['flush-stuck'],
    short: true,
  },
  // The mix (every workload side by side, the default of `kalam-chaos run`) against the correct server.
  { name: 'correct / kill-mid-insert (the mix)', scenario: 'kill-mid-insert', flags: { cycles: '2', trigger: 'acks:80-200' }, expect: 'pass', short: true },
  { name: 'correct / kill-mid-flush --phase random (the mix)', scenario: 'kill-mid-flush', flags: { cycles: '2', phase: 'random' }, expect: 'pass', short: false },
  { name: 'correct / power-loss (the mix)', scenario: 'power-loss', flags: { cycles: '2', trigger: 'acks:80-200' }, expect: 'pass', short: false, needsPowerLoss: true },
  { name: 'correct / corrupt-manifest --kind drop-segment (the mix)', scenario: 'corrupt-manifest', flags: { kind: 'drop-segment', cycles: '1' }, expect: 'pass', short: false },
  {
    name: 'manifest-in-place / kill-mid-flush --phase manifest-written',
    scenario: 'kill-mid-flush',
    defect: 'manifest-in-place',
    flags: { cycles: '2', phase: 'manifest-written', flushDelayMs: '50', workload: 'append' },
    expect: ['storage'],
    short: true,
  },
  ...workloadDefectRows('conflict', 'partial-insert-on-conflict', ['partial-statement'], { cycles: '2', trigger: 'acks:40-120' }),
  { name: 'correct / kill-mid-flush --workload conflict', scenario: 'kill-mid-flush', flags: { cycles: '2', phase: 'random', workload: 'conflict' }, expect: 'pass', short: false },
  { name: 'correct / corrupt-manifest --workload append,conflict', scenario: 'corrupt-manifest', flags: { kind: 'drop-segment', cycles: '1', workload: 'append,conflict' }, expect: 'pass', short: false },
  { name: 'correct / power-loss --workload conflict', scenario: 'power-loss', flags: { cycles: '2', trigger: 'acks:40-120', workload: 'conflict' }, expect: 'pass', short: false, needsPowerLoss: true },
  // A delete of a flushed key must meet a later flush in the first cycle: more acknowledgements before the kill.
  ...workloadDefectRows('delete', 'flush-drops-tombstone', ['resurrected'], { cycles: '2', trigger: 'acks:80-200' }),
  ...workloadDefectRows('register', 'update-not-durable', ['lost-update', 'counter-mismatch'], { cycles: '2', trigger: 'acks:40-120' }),
  // A kill must land right after a CREATE or ALTER acknowledgement: a few short cycles of serial DDL.
  ...workloadDefectRows('ddl', 'ddl-not-durable', ['ddl-lost'], { cycles: '3', trigger: 'acks:10-40' }),
  ...workloadDefectRows('readers', 'stale-reads', ['stale-read'], { cycles: '2', trigger: 'acks:40-120' }),
  { name: 'correct / upgrade --from-format 1 --to-format 2 --downgrade', scenario: 'upgrade', flags: { cycles: '2', downgrade: true, workload: 'append' }, expect: 'pass', short: false },
  { name: 'correct / upgrade --kill-first-start', scenario: 'upgrade', flags: { cycles: '2', killFirstStart: true, workload: 'append' }, expect: 'pass', short: false },
  { name: 'migration-drops-shared-tables / upgrade', scenario: 'upgrade', defect: 'migration-drops-shared-tables', flags: { cycles: '1', workload: 'append' }, expect: ['upgrade-outcome'], short: true },
  // Caught after the first flush on the new format, when the segment it replaced is read again.
  { name: 'migration-forgets-manifest-cache / upgrade', scenario: 'upgrade', defect: 'migration-forgets-manifest-cache', flags: { cycles: '2', workload: 'append' }, expect: ['segment-overwritten', 'lost'], short: true },
  { name: 'correct / live-subscribers', scenario: 'live-subscribers', flags: { cycles: '2', workload: 'subscribers' }, expect: 'pass', short: false },
  // A resume with from_seq_id loses the first row version after the cursor: missing from the initial data, or the first change.
  { name: 'resume-skips-first-change / live-subscribers', scenario: 'live-subscribers', defect: 'resume-skips-first-change', flags: { cycles: '2', workload: 'subscribers' }, expect: ['missed-change', 'initial-data-mismatch'], short: true },
  { name: 'live-survives-restart / live-subscribers', scenario: 'live-subscribers', defect: 'live-survives-restart', flags: { cycles: '2', workload: 'subscribers' }, expect: ['stale-live-entry'], short: true },
];
