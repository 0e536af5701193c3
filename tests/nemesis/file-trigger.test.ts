import { expect } from 'chai';
import { fileTriggerRule, hotDeleteRule } from '../../src/nemesis/file-trigger.js';

describe('file trigger rules', () => {
  const flush = [
    ['rename', 'chaos/t/batch-3.parquet.tmp'],
    ['change', 'chaos/t/batch-3.parquet.tmp'],
    ['rename', 'chaos/t/batch-3.parquet.tmp'],
    ['rename', 'chaos/t/batch-3.parquet'],
    ['rename', 'chaos/t/manifest.json.tmp'],
    ['change', 'chaos/t/manifest.json.tmp'],
    ['rename', 'chaos/t/manifest.json.tmp'],
    ['rename', 'chaos/t/manifest.json'],
  ] as const;

  function firstMatch(phase: 'tmp-written' | 'segment-renamed' | 'manifest-written'): [number, string] | undefined {
    const rule = fileTriggerRule(phase);
    for (const [index, [type, path]] of flush.entries()) {
      const observed = rule(type, path);
      if (observed !== undefined) {
        // Once fired, a rule stays quiet.
        for (const [laterType, laterPath] of flush.slice(index + 1)) expect(rule(laterType, laterPath)).to.equal(undefined);
        return [index, observed];
      }
    }
    return undefined;
  }

  it('tmp-written fires when the segment temp file appears', () => {
    expect(firstMatch('tmp-written')).to.deep.equal([0, 'chaos/t/batch-3.parquet.tmp']);
  });

  it('segment-renamed fires when the segment appears (its temp file renamed onto it), before the manifest commit', () => {
    expect(firstMatch('segment-renamed')).to.deep.equal([3, 'chaos/t/batch-3.parquet']);
  });

  it("tmp-written takes the binary's object-store temp name too", () => {
    expect(fileTriggerRule('tmp-written')('rename', 'chaos/t/batch-3.parquet.tmp#7')).to.equal('chaos/t/batch-3.parquet.tmp#7');
    expect(fileTriggerRule('tmp-written')('rename', 'chaos/t/batch-3.parquet.tmpx')).to.equal(undefined);
  });

  it('manifest-written fires on manifest.json itself, replaced or written in place, never on its temp file', () => {
    expect(firstMatch('manifest-written')).to.deep.equal([7, 'chaos/t/manifest.json']);
    expect(fileTriggerRule('manifest-written')('change', 'chaos/t/manifest.json')).to.equal('chaos/t/manifest.json');
  });

  it('segment-renamed ignores manifest events and a write to an existing segment', () => {
    const rule = fileTriggerRule('segment-renamed');
    expect(rule('rename', 'chaos/t/manifest.json')).to.equal(undefined);
    expect(rule('change', 'chaos/t/batch-2.parquet')).to.equal(undefined);
  });
});

describe('hot-deleting rule', () => {
  it('fires at the first hot-tier write after an event naming manifest.json, once', () => {
    const rule = hotDeleteRule();
    expect(rule('rocksdb', 'change', '000012.log'), 'hot writes before the manifest are the writers').to.equal(undefined);
    expect(rule('storage', 'rename', 'chaos/t/manifest.json.tmp')).to.equal(undefined);
    expect(rule('rocksdb', 'change', '000012.log'), 'the manifest temp file does not arm it').to.equal(undefined);
    expect(rule('storage', 'rename', 'chaos/t/manifest.json')).to.equal(undefined);
    expect(rule('rocksdb', 'rename', 'OPTIONS-000013'), 'a created file is not a write').to.equal(undefined);
    expect(rule('rocksdb', 'change', '000012.log')).to.equal('chaos/t/manifest.json then 000012.log');
    expect(rule('rocksdb', 'change', '000012.log')).to.equal(undefined);
  });
});
