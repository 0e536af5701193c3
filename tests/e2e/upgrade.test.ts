import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fs from 'fs-extra';
import { onlyRunFolder, readHistory, readResult, runCli } from '../support/cli.js';
import { EXIT_CODES } from '../../src/report/result.js';

/** The upgrade scenario on the reference server: format 1 written, format 2 started on it. */
describe('upgrade campaigns on the reference server', function () {
  this.timeout(120_000);
  const roots: string[] = [];
  after(async () => {
    for (const root of roots) await fs.remove(root);
  });

  async function upgradeRun(flags: string[]) {
    const root = await mkdtemp(join(tmpdir(), 'kalam-chaos-upgrade-'));
    roots.push(root);
    const run = await runCli(['run', 'upgrade', '--workload', 'append', '--seed', '5', '--out', root, '--quiet', ...flags], { timeoutMs: 100_000 });
    const runDir = await onlyRunFolder(root);
    return { run, runDir, result: await readResult(runDir), history: await readHistory(runDir) };
  }
  const eventsOf = (history: Record<string, unknown>[], name: string) => history.filter((event) => event.event === name);

  it('passes a correct migration, records both versions and both formats, and refuses the downgrade clearly', async () => {
    const { run, runDir, history } = await upgradeRun(['--cycles', '2', '--downgrade']);
    expect(run.exitCode, `${run.stdout}${run.stderr} ${runDir}`).to.equal(EXIT_CODES.pass);
    const outcomes = eventsOf(history, 'upgrade-outcome');
    expect(outcomes.map((event) => [event.direction, event.outcome])).to.deep.equal([
      ['upgrade', 'upgraded'],
      ['downgrade', 'refused'],
    ]);
    expect(outcomes[0]!.from).to.match(/^0\.4\.2-reference/);
    expect(outcomes[0]!.to).to.match(/^0\.4\.3-reference/);
    expect((outcomes[1]!.evidence as string[]).join(' ')).to.match(/downgrade is not supported/);
    expect(eventsOf(history, 'disk-format').map((event) => [event.when, event.format])).to.deep.equal([
      ['before-upgrade', 'reference format 1'],
      ['after-upgrade', 'reference format 2'],
      ['after-downgrade', 'reference format 2'],
    ]);
  });

  it('survives a kill during the first start of the new format, which is migrating', async () => {
    const { run, runDir, history } = await upgradeRun(['--cycles', '1', '--kill-first-start']);
    expect(run.exitCode, `${run.stdout}${run.stderr} ${runDir}`).to.equal(EXIT_CODES.pass);
    const [kill] = eventsOf(history, 'first-start-kill');
    expect(kill, 'the first start was killed').to.not.equal(undefined);
    expect(eventsOf(history, 'upgrade-outcome')[0]!.outcome).to.equal('upgraded');
  });

  it('calls a migration that leaves out the SHARED tables a silent loss', async () => {
    const { run, result } = await upgradeRun(['--cycles', '1', '--defect', 'migration-drops-shared-tables']);
    expect(run.exitCode).to.equal(EXIT_CODES.fail);
    const upgrade = result.violations.filter((record) => record.violation.kind === 'upgrade-outcome');
    expect(upgrade.map((record) => (record.violation as { outcome: string }).outcome)).to.deep.equal(['silent-loss']);
  });

  it('catches a migration that forgets the manifest cache once the new format flushes and restarts', async () => {
    const { run, result } = await upgradeRun(['--cycles', '2', '--defect', 'migration-forgets-manifest-cache']);
    expect(run.exitCode).to.equal(EXIT_CODES.fail);
    const kinds = new Set(result.violations.filter((record) => record.cycle === 2).map((record) => record.violation.kind));
    expect(kinds.has('segment-overwritten') || kinds.has('lost'), [...kinds].join(', ')).to.equal(true);
  });

  it('refuses upgrade flags that do not fit the target, in one line', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kalam-chaos-upgrade-'));
    roots.push(root);
    const bad = await runCli(['run', 'upgrade', '--from-bin', '/bin/true', '--to-bin', '/bin/true', '--out', root]);
    expect(bad.exitCode).to.equal(EXIT_CODES.error);
    expect(bad.stderr.trim().split('\n')).to.have.length(1);
    const format = await runCli(['run', 'upgrade', '--from-format', '7', '--out', root]);
    expect(format.exitCode).to.equal(EXIT_CODES.error);
    expect(format.stderr).to.match(/--from-format must be 1 or 2/);
  });
});
