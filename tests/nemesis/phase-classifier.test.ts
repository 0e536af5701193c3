import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../support/temp.js';
import { classifyLandedPhase, snapshotScope } from '../../src/nemesis/phase-classifier.js';
import type { LandedPhase } from '../../src/nemesis/flush-phase.js';

type Files = Record<string, string>;

const manifest = (...paths: string[]) =>
  JSON.stringify({ segments: paths.map((path, id) => ({ id, path, status: 'committed' })) });

/** The scope as it was before the flush: one earlier segment, named by the manifest. */
const BASE: Files = { 'batch-1.parquet': 'p', 'manifest.json': manifest('batch-1.parquet') };

const CASES: { name: string; after: Files | undefined; job?: string; expected: LandedPhase }[] = [
  { name: 'nothing changed, no job seen', after: BASE, expected: 'before-flush' },
  { name: 'nothing changed, job queued', after: BASE, job: 'queued', expected: 'before-flush' },
  { name: 'nothing changed, job running', after: BASE, job: 'running', expected: 'job-running' },
  { name: 'nothing changed, job failed', after: BASE, job: 'failed', expected: 'job-running' },
  { name: 'nothing changed, job completed (nothing to flush)', after: BASE, job: 'completed', expected: 'flush-completed' },
  { name: 'a new .tmp', after: { ...BASE, 'batch-2.parquet.tmp': 'x' }, job: 'running', expected: 'tmp-written' },
  { name: 'a new segment not in the manifest', after: { ...BASE, 'batch-2.parquet': 'x' }, job: 'running', expected: 'segment-renamed' },
  {
    name: 'a new segment and a manifest.json.tmp not yet renamed',
    after: { ...BASE, 'batch-2.parquet': 'x', 'manifest.json.tmp': manifest('batch-1.parquet', 'batch-2.parquet') },
    expected: 'segment-renamed',
  },
  {
    name: 'a new segment and a torn manifest',
    after: { 'batch-1.parquet': 'p', 'batch-2.parquet': 'x', 'manifest.json': '{"segments": [' },
    expected: 'segment-renamed',
  },
  {
    name: 'the manifest names the new segment',
    after: { ...BASE, 'batch-2.parquet': 'x', 'manifest.json': manifest('batch-1.parquet', 'batch-2.parquet') },
    job: 'running',
    expected: 'manifest-written',
  },
  {
    name: 'the manifest names the new segment and the job completed',
    after: { ...BASE, 'batch-2.parquet': 'x', 'manifest.json': manifest('batch-1.parquet', 'batch-2.parquet') },
    job: 'completed',
    expected: 'flush-completed',
  },
  { name: 'the scope folder was never created', after: undefined, expected: 'before-flush' },
];

describe('landed phase classifier', () => {
  const temp = useTempDir();

  function scope(name: string, files: Files | undefined): string {
    const dir = join(temp(), name);
    if (files === undefined) return dir;
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
    return dir;
  }

  it('reads a scope folder: files and the manifest segments', async () => {
    const snapshot = await snapshotScope(scope('s', { ...BASE, 'batch-2.parquet.tmp': '' }));
    expect(snapshot.files).to.deep.equal(['batch-1.parquet', 'batch-2.parquet.tmp', 'manifest.json']);
    expect(snapshot.exists).to.equal(true);
    expect(snapshot.manifestSegments).to.deep.equal(['batch-1.parquet']);
    expect(Object.keys(snapshot.identities ?? {})).to.deep.equal(snapshot.files);
    expect(await snapshotScope(join(temp(), 'missing'))).to.deep.equal({ files: [], exists: false });
    const torn = await snapshotScope(scope('torn', { 'manifest.json': '{' }));
    expect(torn.manifestSegments).to.equal(undefined);
    expect(torn.manifestError).to.be.a('string');
  });

  for (const testCase of CASES) {
    it(`${testCase.name} → ${testCase.expected}`, async () => {
      // One folder, changed in place, as a flush changes it: unchanged files keep their identity.
      const dir = scope('flush', BASE);
      const before = await snapshotScope(dir);
      const wanted = testCase.after;
      if (wanted === undefined) rmSync(dir, { recursive: true });
      else {
        for (const name of Object.keys(BASE)) if (!(name in wanted)) rmSync(join(dir, name));
        for (const [name, content] of Object.entries(wanted)) {
          if ((BASE as Record<string, string>)[name] !== content) writeFileSync(join(dir, name), content);
        }
      }
      const after = await snapshotScope(dir);
      const job = testCase.job === undefined ? undefined : { status: testCase.job };
      expect(classifyLandedPhase(before, after, job)).to.equal(testCase.expected);
    });
  }

  it('counts a segment written under the name of an earlier orphan as new', async () => {
    const dir = scope('reuse', { ...BASE, 'batch-2.parquet': 'orphan' });
    const before = await snapshotScope(dir);
    rmSync(join(dir, 'batch-2.parquet'));
    writeFileSync(join(dir, 'batch-2.parquet'), 'the new segment');
    expect(classifyLandedPhase(before, await snapshotScope(dir))).to.equal('segment-renamed');
  });

  it('classifies the first flush of a scope that did not exist before', async () => {
    const before = await snapshotScope(join(temp(), 'new-scope'));
    const after = await snapshotScope(scope('first', { 'batch-1.parquet': 'x', 'manifest.json': manifest('batch-1.parquet') }));
    expect(classifyLandedPhase(before, after)).to.equal('manifest-written');
    const tmpOnly = await snapshotScope(scope('first-tmp', { 'batch-1.parquet.tmp': 'x' }));
    expect(classifyLandedPhase(before, tmpOnly, { status: 'running' })).to.equal('tmp-written');
  });
});
