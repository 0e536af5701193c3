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

  it('takes --flush-deadline-ms for the flush-stuck check, on either target', () => {
    expect(buildCampaignConfig(killMidInsert, base, known).flushDeadlineMs).to.equal(undefined);
    expect(buildCampaignConfig(killMidInsert, { ...base, flushDeadlineMs: '5000' }, known).flushDeadlineMs).to.equal(5000);
    expect(buildCampaignConfig(killMidInsert, { ...base, target: 'kalamdb', serverBin: '/bin/true', flushDeadlineMs: '60000' }, known).flushDeadlineMs).to.equal(60000);
    expect(() => buildCampaignConfig(killMidInsert, { ...base, flushDeadlineMs: '10' }, known)).to.throw(UsageError, /--flush-deadline-ms must be between 100/);
  });

  it('--rows: cycles until N rows are acknowledged, --cycles (default 1000) and --max-minutes (default 60) bound it', () => {
    const plain = buildCampaignConfig(killMidInsert, base, known);
    expect(plain.rows).to.equal(undefined);
    const rows = buildCampaignConfig(killMidInsert, { ...base, rows: '1000000' }, known);
    expect(rows.rows).to.deep.equal({ rows: 1_000_000, maxMinutes: 60, stallCycles: 3 });
    expect(rows.cycles).to.equal(1000);
    const bounded = buildCampaignConfig(killMidInsert, { ...base, rows: '2000', cycles: '7', maxMinutes: '5' }, known);
    expect(bounded.rows).to.deep.equal({ rows: 2000, maxMinutes: 5, stallCycles: 3 });
    expect(bounded.cycles).to.equal(7);
  });

  it('--rows: refuses 0, negative, non-integer values, --max-minutes alone and a mix without append, in one line', () => {
    const cases: [Partial<RunFlags>, RegExp][] = [
      [{ rows: '0' }, /^--rows must be between 1 and 1000000000, got 0$/],
      [{ rows: '-5' }, /^--rows must be between 1 and 1000000000, got -5$/],
      [{ rows: '2.5' }, /^--rows must be a whole number, got "2.5"$/],
      [{ rows: 'many' }, /^--rows must be a whole number, got "many"$/],
      [{ rows: '' }, /^--rows must be a whole number, got ""$/],
      [{ rows: '10', maxMinutes: '0' }, /^--max-minutes must be between 1 and 10080, got 0$/],
      [{ rows: '10', maxMinutes: '1.5' }, /^--max-minutes must be a whole number/],
      [{ maxMinutes: '5' }, /^--max-minutes bounds a --rows run; it needs --rows N$/],
      [{ rows: '10', workload: 'conflict,register' }, /^--rows counts the append workload's acknowledged rows, and --workload conflict,register has no append/],
    ];
    for (const [flags, message] of cases) {
      expect(() => buildCampaignConfig(killMidInsert, { ...base, ...flags }, known), JSON.stringify(flags))
        .to.throw(UsageError, message)
        .with.property('message')
        .that.does.not.include('\n');
    }
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

describe('scenario-specific options', () => {
  const base: RunFlags = { target: 'reference', auth: 'bearer', out: 'runs', seed: '1' };
  const known = ['ack-before-write', 'no-fsync'];

  it('kill-mid-flush: --phase, --precise and --power-cut', async () => {
    const { killMidFlush } = await import('../../chaos/kill-mid-flush.js');
    const config = buildCampaignConfig(killMidFlush, { ...base, phase: 'segment-renamed', precise: true, powerCut: 'torn' }, known);
    expect(config.faults[0]).to.include({ kind: 'flush-kill', phase: 'segment-renamed', precision: 'syscall' });
    expect(config.faults[1]).to.deep.equal({ kind: 'power-cut', loss: 'torn' });
    expect(buildCampaignConfig(killMidFlush, { ...base, powerCut: true }, known).faults[1]).to.deep.equal({ kind: 'power-cut', loss: 'unsynced' });
    expect(() => buildCampaignConfig(killMidFlush, { ...base, phase: 'hot-deleting', precise: true }, known)).to.throw(UsageError, /cannot aim at hot-deleting/);
    expect(() => buildCampaignConfig(killMidFlush, { ...base, kind: 'truncate' }, known)).to.throw(UsageError, /corrupt-\*/);
    // A power cut composes with any kill: kill-mid-insert --power-cut is the power-loss scenario's pair of faults.
    expect(buildCampaignConfig(killMidInsert, { ...base, powerCut: true }, known).faults.map((fault) => fault.kind)).to.deep.equal(['kill', 'power-cut']);
    const { powerLoss } = await import('../../chaos/power-loss.js');
    expect(() => buildCampaignConfig(powerLoss, { ...base, powerCut: true }, known)).to.throw(UsageError, /already cuts the power/);
    const { corruptManifest } = await import('../../chaos/corrupt.js');
    expect(() => buildCampaignConfig(corruptManifest, { ...base, powerCut: true }, known)).to.throw(UsageError, /composes with a kill/);
  });

  it('corruption scenarios: --kind narrows the walk and the default cycles, --accept and --stop are checked', async () => {
    const { corruptManifest, corruptAll } = await import('../../chaos/corrupt.js');
    expect(buildCampaignConfig(corruptAll, base, known).cycles).to.equal(17);
    const one = buildCampaignConfig(corruptManifest, { ...base, kind: 'rollback', accept: 'rebuilt', stop: 'clean' }, known);
    expect(one.cycles).to.equal(1);
    expect(one.faults[0]).to.deep.include({ kind: 'corrupt', corruptions: [{ file: 'manifest', kind: 'rollback' }], accept: ['rebuilt'], stop: 'clean' });
    expect(() => buildCampaignConfig(corruptManifest, { ...base, kind: 'footer' }, known)).to.throw(UsageError, /must be one of/);
    expect(() => buildCampaignConfig(corruptManifest, { ...base, accept: 'fine' }, known)).to.throw(UsageError, /--accept/);
    const kalamdb = buildCampaignConfig(corruptManifest, { ...base, target: 'kalamdb', serverBin: '/bin/true' }, []);
    expect(kalamdb.target).to.include({ kind: 'kalamdb', manifestCacheMaxEntries: 1 });
  });

  it('power-loss: --loss, and nowhere else', async () => {
    const { powerLoss } = await import('../../chaos/power-loss.js');
    expect(buildCampaignConfig(powerLoss, { ...base, loss: 'torn' }, known).faults[1]).to.include({ kind: 'power-cut', loss: 'torn' });
    expect(() => buildCampaignConfig(powerLoss, { ...base, loss: 'some' }, known)).to.throw(UsageError, /--loss must be/);
    expect(() => buildCampaignConfig(killMidInsert, { ...base, loss: 'torn' }, known)).to.throw(UsageError, /--loss only applies/);
  });

  it('data directory and snapshots', () => {
    const config = buildCampaignConfig(killMidInsert, { ...base, dataDir: '/srv/d', iOwnThisDataDir: true, snapshotCapMb: '8' }, known);
    expect(config.dataDir).to.deep.equal({ path: '/srv/d', userOwnsIt: true });
    expect(config.snapshots).to.deep.equal({ capBytes: 8 * 1024 * 1024 });
    expect(buildCampaignConfig(killMidInsert, { ...base, snapshots: false }, known).snapshots).to.equal(undefined);
    expect(() => buildCampaignConfig(killMidInsert, { ...base, iOwnThisDataDir: true }, known)).to.throw(UsageError, /only makes sense with --data-dir/);
  });
});
