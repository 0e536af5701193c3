import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import fs from 'fs-extra';
import { CONFIG_FILE_NAME, loadConfigFile, mergeRunFlags } from '../../src/cli/config-file.js';
import { UsageError, type RunFlags } from '../../src/cli/options.js';
import { onlyRunFolder, readResult, runCli } from '../support/cli.js';
import { useTempDir } from '../support/temp.js';

async function expectUsageError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).to.not.include('\n');
    return message;
  }
  throw new Error('expected a UsageError');
}

describe('config file (kalam-chaos.config.json)', () => {
  const tmp = useTempDir('kalam-chaos-config-');
  const write = async (data: unknown, name = CONFIG_FILE_NAME) => {
    const path = join(tmp(), name);
    await writeFile(path, typeof data === 'string' ? data : JSON.stringify(data));
    return path;
  };

  it('is optional in the current directory', async () => {
    expect(await loadConfigFile(undefined, tmp())).to.equal(undefined);
  });

  it('reads every key as commander would hand it over, paths relative to the file', async () => {
    await write({
      target: 'kalamdb',
      serverBin: 'bin/kalamdb-server',
      auth: 'basic',
      out: '/var/runs',
      writers: 8,
      cycles: 20,
      rows: 1000000,
      maxMinutes: 90,
      readyTimeout: 30000,
      cycleTimeout: 60000,
      syncWrites: true,
      flushDelayMs: 5,
    });
    expect(await loadConfigFile(undefined, tmp())).to.deep.equal({
      target: 'kalamdb',
      serverBin: join(tmp(), 'bin', 'kalamdb-server'),
      auth: 'basic',
      out: '/var/runs',
      writers: '8',
      cycles: '20',
      rows: '1000000',
      maxMinutes: '90',
      readyTimeout: '30000',
      cycleTimeout: '60000',
      syncWrites: true,
      flushDelayMs: '5',
    });
  });

  it('reads --config PATH relative to the current directory, and insists that it exists', async () => {
    await mkdir(join(tmp(), 'nightly'));
    await write({ cycles: 3, out: 'runs' }, join('nightly', 'chaos.json'));
    expect(await loadConfigFile('nightly/chaos.json', tmp())).to.deep.equal({ cycles: '3', out: join(tmp(), 'nightly', 'runs') });
    const message = await expectUsageError(loadConfigFile('missing.json', tmp()));
    expect(message).to.include(join(tmp(), 'missing.json')).and.include('ENOENT');
  });

  it('names the file and the key for an unknown key', async () => {
    const path = await write({ cycles: 2, seed: 42 });
    const message = await expectUsageError(loadConfigFile(undefined, tmp()));
    expect(message).to.include(`config file ${path}`).and.include('unknown key "seed"').and.include('known keys: target');
  });

  it('names the file and the key for a wrong type or value', async () => {
    const path = await write({ writers: '8' });
    const message = await expectUsageError(loadConfigFile(undefined, tmp()));
    expect(message).to.equal(`config file ${path}: key "writers" must be a whole number, got string "8"`);
    await write({ cycles: 1.5 });
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('key "cycles" must be a whole number');
    await write({ cycles: 0 });
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('key "cycles" must be between 1 and 10000, got number 0');
    await write({ rows: 0 });
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('key "rows" must be between 1 and 1000000000, got number 0');
    await write({ rows: 2.5 });
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('key "rows" must be a whole number, got number 2.5');
    await write({ target: 'postgres' });
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('key "target" must be "reference" or "kalamdb"');
    await write({ syncWrites: 'yes' });
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('key "syncWrites" must be true or false');
    await write({ serverBin: null });
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('key "serverBin" must be a non-empty string (a path), got null');
  });

  it('refuses a file that is not a JSON object', async () => {
    await write('{ "cycles": 2, }');
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.match(/config file .*: not valid JSON/);
    await write([1, 2]);
    expect(await expectUsageError(loadConfigFile(undefined, tmp()))).to.include('must hold a JSON object, got an array');
  });

  describe('merging with the command line', () => {
    const cli = (flags: Partial<RunFlags>): RunFlags => ({ target: 'reference', auth: 'bearer', out: 'runs', ...flags });
    const sources = (explicit: string[]) => (key: string) =>
      explicit.includes(key) ? 'cli' : ['target', 'auth', 'out'].includes(key) ? 'default' : undefined;

    it('command-line flags win; commander defaults yield to the file', () => {
      const merged = mergeRunFlags(
        { target: 'kalamdb', serverBin: '/k', out: '/nightly', cycles: '20', writers: '8' },
        cli({ cycles: '2', auth: 'bearer' }),
        sources(['cycles']),
      );
      expect(merged).to.deep.equal({ target: 'kalamdb', serverBin: '/k', auth: 'bearer', out: '/nightly', cycles: '2', writers: '8' });
      expect(mergeRunFlags(undefined, cli({}), sources([]))).to.deep.equal(cli({}));
      expect(mergeRunFlags({ out: '/nightly' }, cli({ out: 'mine' }), sources(['out'])).out).to.equal('mine');
    });

    it('a --target on the command line drops the file\'s keys for the other target', () => {
      const file = { target: 'kalamdb', serverBin: '/k', syncWrites: true, cycles: '5' } as Partial<RunFlags>;
      expect(mergeRunFlags(file, cli({ target: 'reference' }), sources(['target']))).to.deep.equal(cli({ cycles: '5' }));
      const toKalamdb = mergeRunFlags({ flushDelayMs: '3', cycles: '5' }, cli({ target: 'kalamdb', serverBin: '/x' }), sources(['target', 'serverBin']));
      expect(toKalamdb).to.not.have.property('flushDelayMs');
      expect(toKalamdb.cycles).to.equal('5');
    });
  });

  describe('kalam-chaos run --config (e2e)', () => {
    it('takes the defaults from the file and lets the command line win', async () => {
      const path = await write({ cycles: 1, writers: 2, out: 'from-config', flushDelayMs: 0 }, 'nightly.json');
      const result = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--config', path, '--writers', '3', '--seed', '5', '--quiet']);
      expect(result.exitCode, result.stderr).to.equal(0);
      const runDir = await onlyRunFolder(join(tmp(), 'from-config'));
      const run = await readResult(runDir);
      expect(run.parameters.cycles).to.equal(1);
      expect((run.parameters.workload as { writers: number }).writers).to.equal(3);
    });

    it('exits 2 with one line naming the file and the key', async () => {
      const path = await write({ cycles: 1, writer: 2 }, 'bad.json');
      const result = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--config', path, '--out', tmp()]);
      expect(result.exitCode).to.equal(2);
      expect(result.stderr.trim().split('\n')).to.deep.equal([
        `kalam-chaos: config file ${path}: unknown key "writer"; known keys: target, serverBin, auth, out, writers, cycles, rows, maxMinutes, readyTimeout, cycleTimeout, syncWrites, flushDelayMs`,
      ]);
      expect(await fs.readdir(tmp())).to.deep.equal(['bad.json']);
    });

    it('exits 2 when --config names a file that does not exist', async () => {
      const result = await runCli(['run', 'kill-mid-insert', '--workload', 'append', '--config', join(tmp(), 'nope.json'), '--out', tmp()]);
      expect(result.exitCode).to.equal(2);
      expect(result.stderr).to.include('config file').and.include('nope.json');
    });
  });
});
