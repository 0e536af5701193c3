import { expect } from 'chai';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SegmentImmutability, segmentOverwritesOf, type SegmentCommittedEvent } from '../../src/checker/segment-immutability/fold.js';
import type { StorageInspectionMoment, Violation } from '../../src/checker/types.js';
import type { HistoryEvent } from '../../src/history/events.js';
import { hashCommittedSegments, sha256Of } from '../../src/storage/segment-hashes.js';
import { useTempDir } from '../support/temp.js';
import { SCOPE, segment, writeScope } from './fixtures.js';

describe('segment-overwritten: a committed segment name keeps its content', () => {
  const tempDir = useTempDir();

  /** The campaign's loop: hash, record the sightings, fold them in. */
  function observer() {
    const fold = new SegmentImmutability();
    const history: HistoryEvent[] = [];
    return {
      history,
      fold,
      async observe(dataDir: string, cycle: number, when: StorageInspectionMoment): Promise<{ events: SegmentCommittedEvent[]; violations: Violation[] }> {
        const events = fold.sightings(await hashCommittedSegments(dataDir), cycle, when);
        const violations: Violation[] = [];
        for (const event of events) {
          history.push(event);
          violations.push(...fold.note(event));
        }
        return { events, violations };
      },
    };
  }

  it('records each committed segment once with its sha256 and fires on nothing untouched', async () => {
    const dataDir = tempDir();
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [1, 2, 3] }, 'batch-1.parquet': { ids: [4, 5] }, 'batch-2.parquet': { ids: [6], committed: false } }, 3);
    const watch = observer();
    const first = await watch.observe(dataDir, 1, 'after-crash');
    expect(first.events.map((event) => event.file)).to.deep.equal(['batch-0.parquet', 'batch-1.parquet']);
    expect(first.events[0]).to.include({ scope: SCOPE, sha256: sha256Of(await segment([1, 2, 3])), manifestVersion: 3, cycle: 1, when: 'after-crash' });
    expect(first.violations).to.deep.equal([]);
    const again = await watch.observe(dataDir, 1, 'after-restart');
    expect(again.events).to.deep.equal([]);
  });

  it('fires when batch-0 comes back with other content after the manifest restarted at an empty one', async () => {
    const dataDir = tempDir();
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [1, 2, 3] }, 'batch-1.parquet': { ids: [4, 5] } }, 3);
    const watch = observer();
    await watch.observe(dataDir, 1, 'after-restart');
    const before = (await hashCommittedSegments(dataDir)).find((hash) => hash.file === 'batch-0.parquet')!;
    // Manifest lost and replaced by an empty one; the next flush numbers its segment batch-0 again.
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [40, 41] } }, 1);
    const after = await watch.observe(dataDir, 2, 'after-restart');
    expect(after.violations).to.have.length(1);
    const violation = after.violations[0]!;
    if (violation.kind !== 'segment-overwritten') throw new Error(`unexpected ${violation.kind}`);
    expect(violation.scope).to.equal(SCOPE);
    expect(violation.file).to.equal('batch-0.parquet');
    expect(violation.before).to.deep.equal({ sha256: before.sha256, size: before.size, cycle: 1, when: 'after-restart', manifestVersion: 3 });
    expect(violation.after.sha256).to.equal(sha256Of(await segment([40, 41])));
    expect(violation.after.sha256).to.not.equal(violation.before.sha256);
    expect(violation.after).to.include({ cycle: 2, manifestVersion: 1 });
    // A pure function of the history: recomputed from the recorded events alone.
    expect(segmentOverwritesOf(watch.history)).to.deep.equal(after.violations);
  });

  it('does not fire on a new name, a renamed file, a vanished file or an uncommitted file', async () => {
    const dataDir = tempDir();
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [1, 2] }, 'batch-1.parquet': { ids: [3] }, 'batch-5.parquet': { ids: [9], committed: false } }, 2);
    const watch = observer();
    await watch.observe(dataDir, 1, 'after-restart');
    const dir = join(dataDir, SCOPE);
    await rename(join(dir, 'batch-1.parquet'), join(dir, 'batch-7.parquet'));
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [1, 2] }, 'batch-2.parquet': { ids: [4, 5] }, 'batch-7.parquet': { ids: [3] }, 'batch-5.parquet': { ids: [10], committed: false } }, 4);
    const later = await watch.observe(dataDir, 2, 'end');
    expect(later.events.map((event) => event.file).sort()).to.deep.equal(['batch-2.parquet', 'batch-7.parquet']);
    expect(later.violations).to.deep.equal([]);
    await rm(join(dir, 'batch-0.parquet'));
    expect((await watch.observe(dataDir, 3, 'end')).violations).to.deep.equal([]);
    expect(segmentOverwritesOf(watch.history)).to.deep.equal([]);
  });

  it('does not hold a file the nemesis damaged on purpose against the server', async () => {
    const dataDir = tempDir();
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [1, 2] }, 'batch-1.parquet': { ids: [3] } }, 2);
    const watch = observer();
    await watch.observe(dataDir, 1, 'after-restart');
    watch.fold.note({ type: 'corruption', cycle: 2, path: `${SCOPE}/batch-0.parquet` } as HistoryEvent);
    await writeScope(dataDir, { 'batch-0.parquet': { ids: [7] }, 'batch-1.parquet': { ids: [8] } }, 3);
    const after = await watch.observe(dataDir, 2, 'after-restart');
    expect(after.violations.map((violation) => (violation.kind === 'segment-overwritten' ? violation.file : violation.kind))).to.deep.equal(['batch-1.parquet']);
  });
});
