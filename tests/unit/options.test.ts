import { expect } from 'chai';
import { buildCampaignConfig, parseTrigger, UsageError, type RunFlags } from '../../src/cli/options.js';
import { killMidInsert } from '../../chaos/kill-mid-insert.js';

describe('run options', () => {
  const base: RunFlags = { target: 'reference', auth: 'bearer', out: 'runs' };
  const known = ['ack-before-write'];

  it('applies scenario defaults and explicit flags', () => {
    const config = buildCampaignConfig(killMidInsert, { ...base, seed: '9', cycles: '5', writers: '2' }, known);
    expect(config.seed).to.equal(9);
    expect(config.cycles).to.equal(5);
    expect(config.workload.writers).to.equal(2);
    expect(config.target).to.deep.include({ kind: 'reference', defects: [] });
    const defaults = buildCampaignConfig(killMidInsert, base, known);
    expect(defaults.cycles).to.equal(killMidInsert.defaults.cycles);
  });

  it('parses trigger ranges and rejects malformed ones', () => {
    expect(parseTrigger('acks:5-10')).to.deep.equal({ kind: 'acks', min: 5, max: 10 });
    expect(parseTrigger('delay:300')).to.deep.equal({ kind: 'delay', minMs: 300, maxMs: 300 });
    expect(() => parseTrigger('acks:10-5')).to.throw(UsageError, /backwards/);
    expect(() => parseTrigger('soon')).to.throw(UsageError);
  });

  it('rejects bad and conflicting flags with one-line usage errors', () => {
    const cases: [Partial<RunFlags>, RegExp][] = [
      [{ cycles: 'three' }, /--cycles must be a whole number/],
      [{ cycles: '0' }, /--cycles must be between 1/],
      [{ defect: ['no-such-defect'] }, /unknown defect "no-such-defect"/],
      [{ target: 'kalamdb' }, /needs --server-bin/],
      [{ target: 'kalamdb', serverBin: '/bin/true', defect: ['ack-before-write'] }, /--defect only applies/],
      [{ serverBin: '/bin/true' }, /only for --target kalamdb/],
      [{ auth: 'digest' }, /--auth must be bearer or basic/],
      [{ target: 'mars' }, /--target must be reference or kalamdb/],
    ];
    for (const [flags, message] of cases) {
      expect(() => buildCampaignConfig(killMidInsert, { ...base, ...flags }, known), JSON.stringify(flags))
        .to.throw(UsageError, message)
        .with.property('message')
        .that.does.not.include('\n');
    }
  });
});
