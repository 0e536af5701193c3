import { expect } from 'chai';
import { fileTriggerRule } from '../../src/nemesis/file-trigger.js';

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

  it('segment-renamed fires when the manifest commit starts after a segment appeared', () => {
    expect(firstMatch('segment-renamed')).to.deep.equal([4, 'chaos/t/batch-3.parquet then chaos/t/manifest.json.tmp']);
  });

  it('manifest-written fires on manifest.json itself, replaced or written in place, never on its temp file', () => {
    expect(firstMatch('manifest-written')).to.deep.equal([7, 'chaos/t/manifest.json']);
    expect(fileTriggerRule('manifest-written')('change', 'chaos/t/manifest.json')).to.equal('chaos/t/manifest.json');
  });

  it('segment-renamed ignores a manifest change with no new segment before it', () => {
    const rule = fileTriggerRule('segment-renamed');
    expect(rule('rename', 'chaos/t/manifest.json')).to.equal(undefined);
  });
});
