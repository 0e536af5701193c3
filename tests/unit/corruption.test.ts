import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { useTempDir } from '../support/temp.js';
import { buildHealthy } from '../storage/fixtures.js';
import { ALL_CORRUPTIONS, applyCorruption, archiveManifests, describeCorruption, NothingToCorrupt, undoCorruption, type ManifestArchive } from '../../src/nemesis/corruption.js';
import { seededRandom } from '../../src/util/random.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('corruptions', () => {
  const tempDir = useTempDir();

  for (const corruption of ALL_CORRUPTIONS) {
    it(`${describeCorruption(corruption)}: the same seed damages the same file the same way, and undo restores it`, async () => {
      const root = tempDir();
      const first = join(root, 'a', 'data');
      await buildHealthy(first);
      const second = join(root, 'b', 'data');
      cpSync(first, second, { recursive: true });
      const results = [];
      for (const dataDir of [first, second]) {
        const archive: ManifestArchive = new Map();
        await archiveManifests(dataDir, archive);
        // An older version to roll back to: the archive keeps every distinct text it saw.
        for (const versions of archive.values()) versions.unshift(versions[0]!.replace(/"version": ?/, '"version": 0'));
        const runDir = join(dataDir, '..');
        const applied = await applyCorruption({ dataDir, runDir, keepDir: join(runDir, 'kept'), corruption, random: seededRandom(5), archive });
        results.push({ applied, dataDir, runDir });
      }
      const [a, b] = results;
      expect(a!.applied).to.deep.equal(b!.applied);
      const damaged = join(a!.dataDir, a!.applied.path);
      if (a!.applied.sha256After === null) expect(existsSync(damaged)).to.equal(false);
      else expect(sha256(damaged)).to.equal(a!.applied.sha256After);
      expect(a!.applied.sha256After).to.not.equal(a!.applied.sha256Before);
      await undoCorruption(a!.applied, a!.dataDir, a!.runDir);
      if (a!.applied.sha256Before === null) expect(existsSync(damaged)).to.equal(false);
      else expect(sha256(damaged)).to.equal(a!.applied.sha256Before);
    });
  }
});

describe("corruptions of the binary's compact manifest", () => {
  const tempDir = useTempDir();

  // The shape kalamdb-server 0.4.3-rc.4 writes: one line, string table_id, files null, vector_indexes {}.
  const compact = (segments: number) =>
    JSON.stringify({
      table_id: 'chaos.user_rows',
      user_id: 'alice',
      version: segments + 1,
      created_at: 1796190990985,
      updated_at: 1796190992386,
      segments: Array.from({ length: segments }, (_, index) => ({
        min_seq: `38639518502968${index}152`,
        max_seq: `38639518502968${index}153`,
        row_count: 2,
        size_bytes: 1833,
        created_at: 1796190992385,
        id: `batch-${index}.parquet`,
        path: `batch-${index}.parquet`,
        column_stats: { '1': { min: { Int64: '1' }, max: { Int64: '2' }, null_count: 0 } },
        schema_version: 1,
        status: 'committed',
      })),
      last_sequence_number: segments - 1,
      files: null,
      vector_indexes: {},
    });

  for (const kind of ['drop-segment', 'missing-file-segment', 'duplicate-segment', 'row-count', 'size-bytes'] as const) {
    it(`manifest:${kind} rewrites it as compact JSON of the same shape, the same way for a seed`, async () => {
      const texts: string[] = [];
      for (const name of ['a', 'b']) {
        const dataDir = join(tempDir(), name, 'data');
        const scope = join(dataDir, 'storage', 'chaos', 'user_rows', 'alice');
        mkdirSync(scope, { recursive: true });
        writeFileSync(join(scope, 'manifest.json'), compact(3));
        for (let index = 0; index < 3; index++) writeFileSync(join(scope, `batch-${index}.parquet`), 'PAR1');
        const applied = await applyCorruption({ dataDir, runDir: join(dataDir, '..'), keepDir: join(dataDir, '..', 'kept'), corruption: { file: 'manifest', kind }, random: seededRandom(9), archive: new Map() });
        texts.push(readFileSync(join(dataDir, applied.path), 'utf8'));
      }
      expect(texts[0]).to.equal(texts[1]);
      expect(texts[0]).to.not.include('\n');
      const damaged = JSON.parse(texts[0]!) as Record<string, unknown>;
      expect(damaged.table_id).to.equal('chaos.user_rows');
      expect(damaged.files).to.equal(null);
      expect(damaged.vector_indexes).to.deep.equal({});
      expect(texts[0]).to.not.equal(compact(3));
    });
  }
});

describe('manifest rewrites keep the binary\'s exact shape', () => {
  const tempDir = useTempDir();

  it('row-count changes row_count only: 64-bit _seq bounds and the one-line layout survive', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    await buildHealthy(dataDir);
    // A manifest exactly as kalamdb-server 0.4.3-rc.4 wrote it (snowflake _seq values above 2^53).
    const real =
      '{"table_id":"app.events","user_id":null,"version":2,"created_at":1796190847148,"updated_at":1796190847559,"segments":[{"min_seq":386394581733576704,"max_seq":386394582756986887,"row_count":90,"size_bytes":3641,"created_at":1796190847558,"id":"batch-0.parquet","path":"batch-0.parquet","column_stats":{"1":{"min":{"Int64":"1"},"max":{"Int64":"218"},"null_count":0}},"schema_version":1,"status":"committed"}],"last_sequence_number":0,"files":null,"vector_indexes":{}}';
    for (const manifest of listManifests(join(dataDir, 'storage'))) writeFileSync(manifest, real);
    const applied = await applyCorruption({ dataDir, runDir: root, keepDir: join(root, 'kept'), corruption: { file: 'manifest', kind: 'row-count' }, random: seededRandom(3), archive: new Map() });
    const after = readFileSync(join(dataDir, applied.path), 'utf8');
    const delta = Number(/"row_count":(\d+)/.exec(after)![1]) - 90;
    expect(delta).to.be.within(1, 5);
    expect(after).to.equal(real.replace('"row_count":90', `"row_count":${90 + delta}`));
  });
});

describe('corruptions stay inside the cold tier', () => {
  const tempDir = useTempDir();

  it('refuses a segment path that leads out of the data directory, and leaves the outside file alone', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const { shared } = await buildHealthy(dataDir);
    const outside = join(root, 'precious.parquet');
    writeFileSync(outside, 'not yours');
    for (const manifest of [join(shared.dir, 'manifest.json')]) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { segments: { path: string }[] };
      for (const segment of parsed.segments) segment.path = '../../../../precious.parquet';
      writeFileSync(manifest, JSON.stringify(parsed));
    }
    // Only the shared scope points outside; force the choice onto it by removing the user scopes' manifests.
    for (const user of ['alice', 'bob']) rmSync(join(dataDir, 'storage', 'app', 'notes', user, 'manifest.json'), { force: true });
    const attempt = applyCorruption({ dataDir, runDir: root, keepDir: join(root, 'kept'), corruption: { file: 'parquet', kind: 'truncate' }, random: seededRandom(1), archive: new Map() });
    await attempt.then(
      () => expect.fail('a path outside storage/ was damaged'),
      (error: Error) => expect(error.message).to.match(/refusing to damage .*precious.parquet/),
    );
    expect(readFileSync(outside, 'utf8')).to.equal('not yours');
  });

  it('never follows a manifest.json that is a symbolic link: with only links there is nothing to corrupt', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const { shared } = await buildHealthy(dataDir);
    // A real manifest with segments, so a corruptor that followed the links would find a target.
    const outside = join(root, 'elsewhere.json');
    const outsideText = readFileSync(join(shared.dir, 'manifest.json'), 'utf8');
    writeFileSync(outside, outsideText);
    const manifests = listManifests(join(dataDir, 'storage'));
    expect(manifests).to.have.length(3);
    for (const manifest of manifests) {
      rmSync(manifest);
      symlinkSync(outside, manifest);
    }
    const attempt = applyCorruption({ dataDir, runDir: root, keepDir: join(root, 'kept'), corruption: { file: 'manifest', kind: 'empty' }, random: seededRandom(1), archive: new Map() });
    await attempt.then(
      (applied) => expect.fail(`a symbolic link was treated as a manifest: ${applied.path} (${applied.detail})`),
      (error: Error) => {
        expect(error).to.be.instanceOf(NothingToCorrupt);
        expect(error.message).to.equal(`no manifest with segments under ${join(dataDir, 'storage')}`);
      },
    );
    expect(readFileSync(outside, 'utf8')).to.equal(outsideText);
    for (const manifest of manifests) expect(lstatSync(manifest).isSymbolicLink(), manifest).to.equal(true);
    expect(existsSync(join(root, 'kept')), 'nothing was kept because nothing was damaged').to.equal(false);
  });

  for (const kind of ['empty', 'truncate', 'drop-segment', 'delete'] as const) {
    it(`manifest:${kind} lands on a regular manifest when some manifests are symbolic links, whatever the seed`, async () => {
      const root = tempDir();
      const dataDir = join(root, 'data');
      const { shared, alice, bob } = await buildHealthy(dataDir);
      // Two of the three scopes' manifests become links to look-alike manifests outside the data directory.
      const linked = [shared, alice].map((scope, index) => {
        const manifest = join(scope.dir, 'manifest.json');
        const outside = join(root, `elsewhere-${index}.json`);
        const text = readFileSync(manifest, 'utf8');
        writeFileSync(outside, text);
        rmSync(manifest);
        symlinkSync(outside, manifest);
        return { manifest: relative(dataDir, manifest), outside, text };
      });
      const regular = join(bob.dir, 'manifest.json');
      const regularText = readFileSync(regular, 'utf8');
      for (let seed = 1; seed <= 12; seed++) {
        const applied = await applyCorruption({ dataDir, runDir: root, keepDir: join(root, `kept-${seed}`), corruption: { file: 'manifest', kind }, random: seededRandom(seed), archive: new Map() });
        expect(linked.map(({ manifest }) => manifest), `seed ${seed}`).to.not.include(applied.path);
        expect(applied.path, `seed ${seed}`).to.equal(relative(dataDir, regular));
        expect(applied.sha256Before, `seed ${seed}`).to.equal(createHash('sha256').update(regularText).digest('hex'));
        if (applied.sha256After === null) expect(existsSync(regular), `seed ${seed}`).to.equal(false);
        else expect(sha256(regular), `seed ${seed}`).to.equal(applied.sha256After);
        for (const { manifest, outside, text } of linked) {
          expect(readFileSync(outside, 'utf8'), `seed ${seed}: ${outside}`).to.equal(text);
          expect(lstatSync(join(dataDir, manifest)).isSymbolicLink(), `seed ${seed}: ${manifest}`).to.equal(true);
        }
        await undoCorruption(applied, dataDir, root);
        expect(readFileSync(regular, 'utf8'), `seed ${seed}: undo`).to.equal(regularText);
      }
    });
  }
});

function listManifests(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('manifest.json'))
    .map((path) => join(dir, path));
}
