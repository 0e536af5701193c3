import { expect } from 'chai';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { attachToViolations, lostScopesOf } from '../../src/forensics/attach.js';
import { locateLostRows, type SnapshotRecord } from '../../src/forensics/locate-lost.js';
import type { LostPlacement } from '../../src/forensics/types.js';
import type { Violation } from '../../src/checker/types.js';
import { snapshotDataDir } from '../../src/report/snapshot.js';
import { useTempDir } from '../support/temp.js';
import { SCOPE, writeScope } from './fixtures.js';

describe('loss forensics: where lost acknowledged rows were last seen', () => {
  const tempDir = useTempDir();
  let savedTmp: string | undefined;
  beforeEach(() => {
    savedTmp = process.env.TMPDIR;
  });
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  });

  /** A run folder: two crash snapshots, then the live data dir after a manifest reset that reused batch-0. */
  async function runFolder(): Promise<{ runDir: string; dataDir: string; snapshots: SnapshotRecord[] }> {
    const runDir = tempDir();
    const dataDir = join(runDir, 'data');
    const snapshots: SnapshotRecord[] = [];
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [1, 2, 3, 4, 5, 6] } }, 2);
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [100] } }, 2, 'storage/chaos/user_rows/bob');
    for (const cycle of [1, 2]) {
      if (cycle === 2) await writeScope(dataDir, { 'batch-0.parquet': { ids: [1, 2, 3, 4, 5, 6] }, 'batch-1.parquet': { ids: [7, 8, 9], committed: false } }, 2);
      const dest = join(runDir, 'snapshots', `cycle-${cycle}.tar.gz`);
      const outcome = await snapshotDataDir(dataDir, dest, 64 * 1024 * 1024);
      if (!outcome.taken) throw new Error(outcome.reason);
      snapshots.push({ cycle, path: dest });
    }
    // Manifest replaced by an empty one, numbering restarted: batch-0 now holds other rows.
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [20, 21] } }, 1);
    return { runDir, dataDir, snapshots };
  }

  const lostAlice = { table: 'chaos.user_rows', partition: 'alice', ids: [2, 3, 4, 8, 9, 21, 50, 51] };

  it('places each lost id in the snapshot and segment it was last seen in, or in the hot tier only, and cleans up its unpacking', async () => {
    const { runDir, dataDir, snapshots } = await runFolder();
    const scratch = join(runDir, 'scratch');
    await mkdir(scratch);
    process.env.TMPDIR = scratch;
    const forensics = await locateLostRows({ lost: [lostAlice], liveDataDir: dataDir, snapshots, crashCycles: [1, 2], deadlineMs: 20_000 });
    expect(await readdir(scratch), 'unpacked snapshots left behind').to.deep.equal([]);
    expect(forensics.snapshotsSearched).to.deep.equal([1, 2]);
    expect(forensics.incomplete).to.deep.equal([]);
    const ranges = forensics.scopes[0]!.ranges;
    const at = (id: number): LostPlacement => ranges.find((range) => range.first <= id && id <= range.last)!.placement;
    expect(at(2)).to.deep.equal({
      kind: 'segment',
      sightings: 2,
      last: { snapshotCycle: 2, path: `${SCOPE}/batch-0.parquet`, namedByManifestThen: true, namedByCurrentManifest: true, stillInLiveFile: false },
    });
    expect(at(8)).to.deep.equal({
      kind: 'segment',
      sightings: 1,
      last: { snapshotCycle: 2, path: `${SCOPE}/batch-1.parquet`, namedByManifestThen: false, namedByCurrentManifest: false, stillInLiveFile: false },
    });
    expect(at(21)).to.deep.include({ kind: 'segment' });
    expect((at(21) as Extract<LostPlacement, { kind: 'segment' }>).last).to.deep.include({ snapshotCycle: null, stillInLiveFile: true });
    expect(at(50)).to.deep.equal({ kind: 'hot-only' });
    expect(ranges.map((range) => [range.first, range.last, range.count])).to.deep.equal([
      [2, 4, 3],
      [8, 9, 2],
      [21, 21, 1],
      [50, 51, 2],
    ]);
  });

  it('does not claim hot-only when a crash has no snapshot', async () => {
    const { dataDir, snapshots } = await runFolder();
    const forensics = await locateLostRows({
      lost: [lostAlice],
      liveDataDir: dataDir,
      snapshots: [snapshots[0]!, { cycle: 2, skipped: 'data directory holds 99 bytes, over the 1-byte cap' }],
      crashCycles: [1, 2],
      deadlineMs: 20_000,
    });
    const ranges = forensics.scopes[0]!.ranges;
    const eight = ranges.find((range) => range.first <= 8 && 8 <= range.last)!;
    expect(eight.placement.kind).to.equal('unseen');
    expect(JSON.stringify(eight.placement)).to.contain('over the 1-byte cap');
    const two = ranges.find((range) => range.first <= 2 && 2 <= range.last)!;
    expect(two.placement).to.deep.include({ kind: 'segment' });
    expect((two.placement as Extract<LostPlacement, { kind: 'segment' }>).last.snapshotCycle).to.equal(1);
  });

  it('attaches to each lost violation the ranges of its own ids', async () => {
    const { dataDir, snapshots } = await runFolder();
    const violations: Violation[] = [
      { kind: 'lost', table: 'chaos.user_rows', partition: 'alice', ids: [2, 3] },
      { kind: 'lost', table: 'chaos.user_rows', partition: 'alice', ids: [2, 3, 50] },
      { kind: 'lost', table: 'chaos.user_rows', partition: 'bob', ids: [100] },
    ];
    const lost = lostScopesOf(violations);
    expect(lost.map((scope) => scope.ids)).to.deep.equal([[2, 3, 50], [100]]);
    const forensics = await locateLostRows({ lost, liveDataDir: dataDir, snapshots, crashCycles: [1, 2], deadlineMs: 20_000 });
    attachToViolations(violations, forensics);
    const kinds = violations.map((violation) => (violation.kind === 'lost' ? violation.forensics?.ranges.map((range) => [range.first, range.last, range.placement.kind]) : []));
    expect(kinds).to.deep.equal([[[2, 3, 'segment']], [[2, 3, 'segment'], [50, 50, 'hot-only']], [[100, 100, 'segment']]]);
    const bob = violations[2]!;
    if (bob.kind !== 'lost') throw new Error('not lost');
    expect(bob.forensics!.ranges[0]!.placement).to.deep.include({ kind: 'segment' });
  });
});
