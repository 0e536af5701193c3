import { expect } from 'chai';
import { hasPyarrow, pythonForInterop } from '../support/python.js';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  baselineOf,
  formatInspection,
  inspectDataDir,
  parseManifest,
  stringifyManifest,
  type Finding,
  type Inspection,
} from '../../src/storage/index.js';
import { useTempDir } from '../support/temp.js';
import { buildHealthy, buildScope, scopeDir, segmentBytes, seqRange } from './fixtures.js';

function kinds(i: Inspection): string[] {
  return i.findings.map((f) => f.kind).sort();
}

function only(i: Inspection, kind: string): Finding {
  const found = i.findings.filter((f) => f.kind === kind);
  expect(found, `findings of kind ${kind} in ${JSON.stringify(i.findings, null, 1)}`).to.have.length(1);
  return found[0]!;
}

const PYTHON = pythonForInterop();

describe('storage: parseManifest', () => {
  const good = {
    table_id: { namespace_id: 'app', table_name: 'events' },
    user_id: null,
    version: 3,
    created_at: 1,
    updated_at: 2,
    last_sequence_number: 7301029571234567891n,
    segments: [
      {
        id: 'batch-1',
        path: 'batch-1.parquet',
        min_seq: 7301029571234567001n,
        max_seq: 7301029571234567891n,
        row_count: 10,
        size_bytes: 1234,
        created_at: 1,
        schema_version: 1,
        status: 'committed' as const,
        column_stats: { id: { min: 1, max: 10, null_count: 0 } },
      },
    ],
  };

  it('accepts a well-formed manifest and keeps 64-bit sequence numbers exact', () => {
    const r = parseManifest(stringifyManifest(good));
    expect(r.ok, JSON.stringify(!r.ok && r.problem)).to.equal(true);
    if (!r.ok) return;
    expect(r.manifest.last_sequence_number).to.equal(7301029571234567891n);
    expect(r.manifest.segments[0]!.min_seq).to.equal(7301029571234567001n);
    expect(r.manifest.segments[0]!.status).to.equal('committed');
  });

  it('accepts small sequence numbers as bigint, extra fields, files/vector_indexes, no column_stats', () => {
    const text = JSON.stringify({
      ...good,
      last_sequence_number: 5,
      future_field: true,
      files: [],
      vector_indexes: {},
      segments: [{ ...good.segments[0], id: 7, min_seq: 1, max_seq: 5, column_stats: undefined }],
    });
    const r = parseManifest(text);
    expect(r.ok, JSON.stringify(!r.ok && r.problem)).to.equal(true);
    if (!r.ok) return;
    expect(r.manifest.last_sequence_number).to.equal(5n);
    expect(r.manifest.segments[0]!.id).to.equal(7);
    expect(r.manifest.segments[0]!.column_stats).to.deep.equal({});
  });

  const bad: [string, (m: Record<string, unknown>) => void, string][] = [
    ['negative row_count', (m) => ((m['segments'] as Record<string, unknown>[])[0]!['row_count'] = -1), 'segments[0].row_count must be a non-negative integer'],
    ['fractional size', (m) => ((m['segments'] as Record<string, unknown>[])[0]!['size_bytes'] = 1.5), 'segments[0].size_bytes must be a non-negative integer'],
    ['bad status', (m) => ((m['segments'] as Record<string, unknown>[])[0]!['status'] = 'done'), 'segments[0].status must be one of'],
    ['absolute path', (m) => ((m['segments'] as Record<string, unknown>[])[0]!['path'] = '/etc/passwd'), 'segments[0].path must be relative'],
    ['escaping path', (m) => ((m['segments'] as Record<string, unknown>[])[0]!['path'] = '../x/batch-1.parquet'), 'segments[0].path must not leave'],
    ['missing id', (m) => delete (m['segments'] as Record<string, unknown>[])[0]!['id'], 'segments[0].id must be'],
    ['string version', (m) => (m['version'] = '3'), 'version must be a non-negative integer'],
    ['numeric user_id', (m) => (m['user_id'] = 5), 'user_id must be a non-empty string or null'],
    ['missing table_name', (m) => delete (m['table_id'] as Record<string, unknown>)['table_name'], 'table_id.table_name must be a non-empty string'],
    ['segments not array', (m) => (m['segments'] = {}), 'segments must be an array'],
    ['missing last_sequence_number', (m) => delete m['last_sequence_number'], 'last_sequence_number must be'],
  ];
  for (const [name, mutate, expected] of bad) {
    it(`reports ${name}`, () => {
      const m = JSON.parse(JSON.stringify({ ...good, last_sequence_number: 9, segments: [{ ...good.segments[0], min_seq: 1, max_seq: 9 }] })) as Record<string, unknown>;
      mutate(m);
      const r = parseManifest(JSON.stringify(m));
      expect(r.ok).to.equal(false);
      if (r.ok) return;
      expect(r.problem).to.contain(expected);
    });
  }

  it('reports invalid JSON with a position, never throws', () => {
    for (const text of ['', '{', '{"a":1,}', 'null', '[1,2', '{"a": tru}', '\u0000\u0000']) {
      const r = parseManifest(text);
      expect(r.ok, text).to.equal(false);
    }
    const r = parseManifest('{\n  "version": 1,\n  oops\n}');
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problem).to.match(/^invalid JSON: .*line 3/);
  });
});

describe('storage: inspectDataDir', () => {
  const tmp = useTempDir('kalam-storage-');

  it('a healthy SHARED + USER layout has no findings and a per-scope summary', async () => {
    await buildHealthy(tmp());
    const i = await inspectDataDir(tmp());
    expect(i.findings).to.deep.equal([]);
    expect(i.ok).to.equal(true);
    expect(i.scopes).to.deep.equal([
      { path: 'storage/app/events', namespace: 'app', table: 'events', userId: null, version: 3, lastSequenceNumber: '2', segments: 2, rows: 80 },
      { path: 'storage/app/notes/alice', namespace: 'app', table: 'notes', userId: 'alice', version: 2, lastSequenceNumber: '1', segments: 1, rows: 20 },
      { path: 'storage/app/notes/bob', namespace: 'app', table: 'notes', userId: 'bob', version: 4, lastSequenceNumber: '3', segments: 3, rows: 15 },
    ]);
    expect(i.totals).to.deep.equal({ scopes: 3, segments: 6, rows: 115, segmentsChecked: 6 });
    expect(formatInspection(i)).to.equal('storage: OK (3 scopes, 6 segments, 115 rows)');
    expect(() => JSON.stringify(i)).to.not.throw();
    // Decoding only the system columns agrees.
    expect((await inspectDataDir(tmp(), { decode: 'system' })).findings).to.deep.equal([]);
  });

  it('64-bit (snowflake-sized) sequence numbers cause no false positives', async () => {
    const base = 7_301_029_571_234_567_001n;
    const seqs = Array.from({ length: 40 }, (_, k) => base + BigInt(k) * 3n);
    const s = await buildScope(tmp(), { namespace: 'big', table: 't', segments: [{ batch: 1, seqs }] });
    const text = await readFile(join(s.dir, 'manifest.json'), 'utf8');
    expect(text).to.contain('"max_seq":7301029571234567118');
    const i = await inspectDataDir(tmp());
    expect(i.findings).to.deep.equal([]);
    expect(i.scopes[0]!.lastSequenceNumber).to.equal('1');
    // One past the exact max is still caught (a double could not tell them apart).
    s.manifest.segments[0]!.max_seq = base + 116n;
    await s.save();
    const j = await inspectDataDir(tmp());
    expect(only(j, 'seq-out-of-range').path).to.equal('storage/big/t/batch-1.parquet');
  });

  it('throws, naming the path, only when the data dir itself is unreadable', async () => {
    const missing = join(tmp(), 'nope');
    let err: unknown;
    try {
      await inspectDataDir(missing);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.contain(missing);
  });

  it('warns when there is no storage folder at all', async () => {
    const i = await inspectDataDir(tmp());
    expect(i.ok).to.equal(true);
    expect(only(i, 'no-storage-dir').severity).to.equal('warning');
    expect(i.scopes).to.deep.equal([]);
  });

  it('unparseable manifest -> manifest-unparseable', async () => {
    const { shared } = await buildHealthy(tmp());
    await writeFile(join(shared.dir, 'manifest.json'), '{"table_id": {"namespace_id": "app", "tab');
    const i = await inspectDataDir(tmp());
    const f = only(i, 'manifest-unparseable');
    expect(f.severity).to.equal('violation');
    expect(f.path).to.equal('storage/app/events/manifest.json');
    expect(kinds(i)).to.deep.equal(['manifest-unparseable']); // its parquet files are not reported as orphans
    const s = i.scopes.find((x) => x.path === 'storage/app/events')!;
    expect(s.version).to.equal(null);
  });

  it('empty manifest (crash during an in-place write) -> manifest-unparseable', async () => {
    const { bob } = await buildHealthy(tmp());
    await writeFile(join(bob.dir, 'manifest.json'), '');
    const i = await inspectDataDir(tmp());
    expect(only(i, 'manifest-unparseable').path).to.equal('storage/app/notes/bob/manifest.json');
  });

  it('schema mismatch -> manifest-schema with the field path', async () => {
    const { alice } = await buildHealthy(tmp());
    const m = JSON.parse(await readFile(join(alice.dir, 'manifest.json'), 'utf8')) as { segments: Record<string, unknown>[] };
    m.segments[0]!['row_count'] = -3;
    await writeFile(join(alice.dir, 'manifest.json'), JSON.stringify(m, null, 2));
    const i = await inspectDataDir(tmp());
    const f = only(i, 'manifest-schema');
    expect(f.path).to.equal('storage/app/notes/alice/manifest.json');
    expect(f.message).to.contain('segments[0].row_count must be a non-negative integer');
    expect(kinds(i)).to.deep.equal(['manifest-schema']);
  });

  it('table_id / user_id inconsistent with the folder -> manifest-scope-mismatch', async () => {
    const { shared, alice, bob } = await buildHealthy(tmp());
    shared.manifest.user_id = 'alice'; // SHARED table with a user id
    await shared.save();
    alice.manifest.user_id = 'bob'; // wrong user
    await alice.save();
    bob.manifest.table_id = { namespace_id: 'app', table_name: 'events' }; // wrong table
    await bob.save();
    const i = await inspectDataDir(tmp());
    expect(kinds(i)).to.deep.equal(['manifest-scope-mismatch', 'manifest-scope-mismatch', 'manifest-scope-mismatch']);
    const paths = i.findings.map((f) => f.path).sort();
    expect(paths).to.deep.equal([
      'storage/app/events/manifest.json',
      'storage/app/notes/alice/manifest.json',
      'storage/app/notes/bob/manifest.json',
    ]);
    expect(i.findings.find((f) => f.path.includes('alice'))!.message).to.contain('user_id is "bob" but the folder is "alice"');
  });

  it('committed segment whose file is missing -> segment-file-missing (in_progress/tombstone ignored)', async () => {
    const { bob } = await buildHealthy(tmp());
    await rm(join(bob.dir, 'batch-2.parquet'));
    let i = await inspectDataDir(tmp());
    const f = only(i, 'segment-file-missing');
    expect(f.path).to.equal('storage/app/notes/bob/batch-2.parquet');
    expect(kinds(i)).to.deep.equal(['segment-file-missing']);

    bob.manifest.segments[1]!.status = 'tombstone';
    await bob.save();
    i = await inspectDataDir(tmp());
    expect(i.findings).to.deep.equal([]);
  });

  it('truncated parquet -> parquet-unreadable (and size-mismatch), no throw', async () => {
    const { shared } = await buildHealthy(tmp());
    const file = join(shared.dir, 'batch-2.parquet');
    const size = (await readFile(file)).byteLength;
    await truncate(file, Math.floor(size / 2));
    const i = await inspectDataDir(tmp());
    expect(kinds(i)).to.deep.equal(['parquet-unreadable', 'size-mismatch']);
    expect(only(i, 'parquet-unreadable').path).to.equal('storage/app/events/batch-2.parquet');
    expect(only(i, 'size-mismatch').path).to.equal('storage/app/events/batch-2.parquet');
    expect(i.ok).to.equal(false);
  });

  it('garbage and zero-length parquet files never make it throw', async () => {
    const { shared, alice } = await buildHealthy(tmp());
    await writeFile(join(shared.dir, 'batch-1.parquet'), Buffer.alloc(0));
    const bytes = new Uint8Array(await readFile(join(alice.dir, 'batch-1.parquet')));
    // Damage the data area but keep size and footer intact.
    for (let k = 8; k < 200 && k < bytes.length - 64; k++) bytes[k] = 0xff;
    await writeFile(join(alice.dir, 'batch-1.parquet'), bytes);
    const i = await inspectDataDir(tmp());
    expect(i.findings.filter((f) => f.kind === 'parquet-unreadable').map((f) => f.path).sort()).to.deep.equal([
      'storage/app/events/batch-1.parquet',
      'storage/app/notes/alice/batch-1.parquet',
    ]);
    const damaged = i.findings.find((f) => f.path === 'storage/app/notes/alice/batch-1.parquet')!;
    expect(damaged.message).to.contain('parquet data unreadable');
  });

  it('footer row count != row_count -> row-count-mismatch', async () => {
    const { alice } = await buildHealthy(tmp());
    alice.manifest.segments[0]!.row_count = 21;
    await alice.save();
    const i = await inspectDataDir(tmp());
    const f = only(i, 'row-count-mismatch');
    expect(f.path).to.equal('storage/app/notes/alice/batch-1.parquet');
    expect(f.details).to.include({ actual: 20, expected: 21 });
    expect(kinds(i)).to.deep.equal(['row-count-mismatch']);
  });

  it('file size != size_bytes -> size-mismatch', async () => {
    const { shared } = await buildHealthy(tmp());
    shared.manifest.segments[0]!.size_bytes += 1;
    await shared.save();
    const i = await inspectDataDir(tmp());
    expect(only(i, 'size-mismatch').path).to.equal('storage/app/events/batch-1.parquet');
    expect(kinds(i)).to.deep.equal(['size-mismatch']);
  });

  it('_seq values outside [min_seq, max_seq] -> seq-out-of-range', async () => {
    const { bob } = await buildHealthy(tmp());
    bob.manifest.segments[2]!.min_seq = 211n; // the file holds 210..214
    await bob.save();
    const i = await inspectDataDir(tmp());
    const f = only(i, 'seq-out-of-range');
    expect(f.path).to.equal('storage/app/notes/bob/batch-3.parquet');
    expect(f.details).to.include({ below: 1, above: 0, actualMin: '210', actualMax: '214' });
    expect(kinds(i)).to.deep.equal(['seq-out-of-range']);
  });

  it('min_seq > max_seq -> segment-seq-range-invalid', async () => {
    const { alice } = await buildHealthy(tmp());
    alice.manifest.segments[0]!.min_seq = 119n;
    alice.manifest.segments[0]!.max_seq = 100n;
    await alice.save();
    const i = await inspectDataDir(tmp());
    expect(only(i, 'segment-seq-range-invalid').path).to.equal('storage/app/notes/alice/manifest.json');
  });

  it('duplicate segment ids and paths -> duplicate-segment-id / duplicate-segment-path', async () => {
    const { shared, bob } = await buildHealthy(tmp());
    shared.manifest.segments[1]!.id = shared.manifest.segments[0]!.id;
    await shared.save();
    bob.manifest.segments[2]!.path = './batch-1.parquet';
    await bob.save();
    const i = await inspectDataDir(tmp());
    expect(only(i, 'duplicate-segment-id').path).to.equal('storage/app/events/manifest.json');
    expect(only(i, 'duplicate-segment-path').path).to.equal('storage/app/notes/bob/manifest.json');
    // bob's batch-3.parquet is now named by nobody, and batch-1 holds other seqs than segments[2] claims.
    expect(kinds(i)).to.deep.equal(['duplicate-segment-id', 'duplicate-segment-path', 'orphan-parquet']);
  });

  it('max_seq far beyond last_sequence_number is the binary\'s normal shape: no finding', async () => {
    // KalamDB 0.4.3 writes last_sequence_number 0 next to snowflake _seq values (measured).
    const { shared } = await buildHealthy(tmp());
    expect(shared.manifest.segments[1]!.max_seq).to.equal(80n);
    expect(shared.manifest.last_sequence_number).to.equal(2n);
    expect((await inspectDataDir(tmp())).findings).to.deep.equal([]);
  });

  it('a listed batch number beyond last_sequence_number -> batch-beyond-last-sequence', async () => {
    const { shared, bob } = await buildHealthy(tmp());
    shared.manifest.last_sequence_number = 1n; // batch-2.parquet is listed
    await shared.save();
    bob.manifest.segments[2]!.status = 'tombstone'; // a tombstone is not checked
    bob.manifest.last_sequence_number = 2n;
    await bob.save();
    const i = await inspectDataDir(tmp());
    const f = only(i, 'batch-beyond-last-sequence');
    expect(f.path).to.equal('storage/app/events/manifest.json');
    expect(f.details).to.include({ batch: '2', lastSequenceNumber: '1', segment: 'batch-2.parquet' });
    expect(f.message).to.contain('batch-2.parquet');
    // bob's batch-3.parquet is still named (by its tombstone), so no orphan either.
    expect(kinds(i)).to.deep.equal(['batch-beyond-last-sequence']);
  });

  it('version / last_sequence_number going backwards vs a baseline -> violations', async () => {
    const { shared, alice, bob } = await buildHealthy(tmp());
    const before = await inspectDataDir(tmp());
    const baseline = JSON.parse(JSON.stringify(baselineOf(before))) as ReturnType<typeof baselineOf>; // survives JSON
    expect(baseline.scopes['storage/app/events']).to.deep.equal({ version: 3, lastSequenceNumber: '2' });

    // Same state again: fine. Moving forward: fine.
    expect((await inspectDataDir(tmp(), { previous: baseline })).findings).to.deep.equal([]);
    alice.manifest.version += 1;
    alice.manifest.last_sequence_number += 10n;
    await alice.save();
    expect((await inspectDataDir(tmp(), { previous: baseline })).findings).to.deep.equal([]);

    shared.manifest.version = 2;
    await shared.save();
    let i = await inspectDataDir(tmp(), { previous: baseline });
    expect(only(i, 'version-regressed').path).to.equal('storage/app/events/manifest.json');
    expect(kinds(i)).to.deep.equal(['version-regressed']);

    shared.manifest.version = 3;
    await shared.save();
    alice.manifest.last_sequence_number = 1n; // baseline said 1, then 11 was written: still >= 1
    await alice.save();
    bob.manifest.last_sequence_number = 2n; // baseline said 3, with one version step: no clear in between
    bob.manifest.segments.pop();
    bob.manifest.version += 1;
    await bob.save();
    i = await inspectDataDir(tmp(), { previous: baseline });
    const f = only(i, 'last-sequence-regressed');
    expect(f.path).to.equal('storage/app/notes/bob/manifest.json');
    expect(f.details).to.include({ previous: '3', current: '2' });
    expect(kinds(i)).to.deep.equal(['last-sequence-regressed', 'orphan-parquet']);
  });

  it('last_sequence_number back to 0 after KalamDB cleared the scope\'s segments is no regression', async () => {
    const { shared } = await buildHealthy(tmp());
    const baseline = baselineOf(await inspectDataDir(tmp()));
    // clear_segments_and_delete_files: segments [], last_sequence_number 0, version + 1; then one flush of batch-0.
    await rm(join(shared.dir, 'batch-1.parquet'));
    await rm(join(shared.dir, 'batch-2.parquet'));
    await writeFile(join(shared.dir, 'batch-0.parquet'), await segmentBytes(seqRange(300, 4)));
    const bytes = await readFile(join(shared.dir, 'batch-0.parquet'));
    shared.manifest.segments = [
      { ...shared.manifest.segments[0]!, id: 'batch-0.parquet', path: 'batch-0.parquet', min_seq: 300n, max_seq: 303n, row_count: 4, size_bytes: bytes.byteLength },
    ];
    shared.manifest.last_sequence_number = 0n;
    shared.manifest.version = 5;
    await shared.save();
    const i = await inspectDataDir(tmp(), { previous: baseline });
    expect(i.findings).to.deep.equal([]);
    expect(i.totals.segmentsChecked).to.equal(6 - 2 + 1);
  });

  it('a scope present in the baseline but gone now -> scope-vanished warning', async () => {
    const { alice } = await buildHealthy(tmp());
    const baseline = baselineOf(await inspectDataDir(tmp()));
    await rm(alice.dir, { recursive: true });
    const i = await inspectDataDir(tmp(), { previous: baseline });
    expect(only(i, 'scope-vanished').path).to.equal('storage/app/notes/alice');
    expect(i.ok).to.equal(true);
  });

  it('parquet without _seq or _deleted -> missing-system-column', async () => {
    await buildScope(tmp(), { namespace: 'app', table: 'a', segments: [{ batch: 1, seqs: seqRange(1, 4), omit: ['_deleted'] }] });
    await buildScope(tmp(), { namespace: 'app', table: 'b', segments: [{ batch: 1, seqs: seqRange(1, 4), omit: ['_seq'] }] });
    const i = await inspectDataDir(tmp());
    expect(kinds(i)).to.deep.equal(['missing-system-column', 'missing-system-column']);
    const byPath = Object.fromEntries(i.findings.map((f) => [f.path, f.details?.['missing']]));
    expect(byPath).to.deep.equal({
      'storage/app/a/batch-1.parquet': ['_deleted'],
      'storage/app/b/batch-1.parquet': ['_seq'],
    });
  });

  it('orphan parquet and leftover .tmp files -> warnings only', async () => {
    const { shared, bob } = await buildHealthy(tmp());
    // Crash after the parquet rename but before the manifest rename.
    await writeFile(join(shared.dir, 'batch-3.parquet'), await segmentBytes(seqRange(81, 10)));
    await writeFile(join(shared.dir, 'manifest.json.tmp'), '{"half": ');
    // Crash before the parquet rename.
    await writeFile(join(bob.dir, 'batch-4.parquet.tmp'), 'PAR1 partial');
    const i = await inspectDataDir(tmp());
    expect(i.ok).to.equal(true);
    expect(i.violations).to.equal(0);
    expect(i.findings.every((f) => f.severity === 'warning')).to.equal(true);
    expect(i.findings.map((f) => [f.kind, f.path]).sort()).to.deep.equal([
      ['leftover-tmp', 'storage/app/events/manifest.json.tmp'],
      ['leftover-tmp', 'storage/app/notes/bob/batch-4.parquet.tmp'],
      ['orphan-parquet', 'storage/app/events/batch-3.parquet'],
    ]);
    const text = formatInspection(i);
    const lines = text.split('\n');
    expect(lines).to.have.length(4);
    expect(lines[3]).to.equal('storage: 0 violation(s), 3 warning(s)');
    expect(text).to.contain('orphan-parquet storage/app/events/batch-3.parquet');
  });

  it('a folder with parquet files but no manifest.json -> missing-manifest warning', async () => {
    const { alice } = await buildHealthy(tmp());
    await rm(join(alice.dir, 'manifest.json'));
    const carol = scopeDir(tmp(), { namespace: 'app', table: 'notes', userId: 'carol' });
    await mkdir(carol, { recursive: true });
    await writeFile(join(carol, 'batch-1.parquet'), await segmentBytes(seqRange(1, 3)));
    const i = await inspectDataDir(tmp());
    expect(i.findings.map((f) => [f.severity, f.kind, f.path]).sort()).to.deep.equal([
      ['warning', 'missing-manifest', 'storage/app/notes/alice'],
      ['warning', 'missing-manifest', 'storage/app/notes/carol'],
    ]);
    expect(i.scopes.map((s) => s.path)).to.deep.equal(['storage/app/events', 'storage/app/notes/bob']);
  });

  it('formats violations before warnings, then the verdict', async () => {
    const { shared, alice } = await buildHealthy(tmp());
    await writeFile(join(shared.dir, 'batch-9.parquet.tmp'), 'x');
    alice.manifest.segments[0]!.row_count = 1;
    alice.manifest.segments[0]!.size_bytes = 1;
    await alice.save();
    const text = formatInspection(await inspectDataDir(tmp()), { scopes: true });
    const lines = text.split('\n');
    expect(lines[0]).to.match(/^scope storage\/app\/events \(shared\): version 3, last_seq 2, 2 segments, 80 rows$/);
    expect(lines.slice(3, 5).every((l) => l.startsWith('VIOLATION '))).to.equal(true);
    expect(lines[5]).to.match(/^warning +leftover-tmp storage\/app\/events\/batch-9\.parquet\.tmp: /);
    expect(lines[6]).to.equal('storage: 2 violation(s), 1 warning(s)');
  });

  it('an unreadable scope folder is a finding, not an exception', async function () {
    if (process.getuid?.() === 0) this.skip(); // root can read anything
    const { bob } = await buildHealthy(tmp());
    await chmod(bob.dir, 0o000);
    try {
      const i = await inspectDataDir(tmp());
      expect(only(i, 'io-error').path).to.equal('storage/app/notes/bob');
    } finally {
      await chmod(bob.dir, 0o755);
    }
  });

  describe('parquet from an independent writer (pyarrow; skipped when unavailable)', () => {
    it('inspects a ZSTD segment written by pyarrow', async function () {
      if (!hasPyarrow()) this.skip();
      const dir = scopeDir(tmp(), { namespace: 'py', table: 't', userId: 'u1' });
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'batch-1.parquet');
      const r = spawnSync(
        PYTHON,
        [
          '-c',
          [
            'import sys, json, os, pyarrow as pa, pyarrow.parquet as pq',
            'n = 300',
            'base = 7301029571234567001',
            't = pa.table({',
            '  "id": pa.array(range(n), pa.int64()),',
            '  "body": pa.array([None if i % 9 == 0 else f"b{i}" for i in range(n)], pa.string()),',
            '  "_seq": pa.array([base + i for i in range(n)], pa.int64()),',
            '  "_deleted": pa.array([i % 4 == 0 for i in range(n)], pa.bool_()),',
            '})',
            'pq.write_table(t, sys.argv[1], compression="zstd", row_group_size=128)',
            'md = pq.ParquetFile(sys.argv[1]).metadata',
            'print(json.dumps({"size": os.path.getsize(sys.argv[1]), "codec": md.row_group(0).column(0).compression, "groups": md.num_row_groups}))',
          ].join('\n'),
          file,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.status, r.stderr).to.equal(0);
      const info = JSON.parse(r.stdout) as { size: number; codec: string; groups: number };
      expect(info.codec).to.equal('ZSTD');
      expect(info.groups).to.equal(3);
      const base = 7_301_029_571_234_567_001n;
      const manifest = {
        table_id: { namespace_id: 'py', table_name: 't' },
        user_id: 'u1',
        version: 1,
        created_at: 1,
        updated_at: 1,
        last_sequence_number: base + 299n,
        segments: [
          {
            id: 1,
            path: 'batch-1.parquet',
            min_seq: base,
            max_seq: base + 299n,
            row_count: 300,
            size_bytes: info.size,
            created_at: 1,
            schema_version: 1,
            status: 'committed' as const,
            column_stats: {},
          },
        ],
      };
      await writeFile(join(dir, 'manifest.json'), stringifyManifest(manifest));
      let i = await inspectDataDir(tmp());
      expect(i.findings).to.deep.equal([]);
      expect(i.scopes).to.deep.equal([
        { path: 'storage/py/t/u1', namespace: 'py', table: 't', userId: 'u1', version: 1, lastSequenceNumber: (base + 299n).toString(), segments: 1, rows: 300 },
      ]);
      expect((await inspectDataDir(tmp(), { decode: 'system' })).findings).to.deep.equal([]);

      manifest.segments[0]!.max_seq = base + 298n;
      await writeFile(join(dir, 'manifest.json'), stringifyManifest(manifest));
      i = await inspectDataDir(tmp());
      expect(only(i, 'seq-out-of-range').details).to.include({ above: 1, actualMax: (base + 299n).toString() });
    });
  });
});
