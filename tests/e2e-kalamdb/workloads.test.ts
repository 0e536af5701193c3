import { expect } from 'chai';
import { workloadNames } from '../../src/workload/registry.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import { expectNoServerLeft, expectNoToolErrorNorFalseAlarm, runRealCampaign, useEvidenceFolder, type RealRun } from '../support/real-campaign.js';

const CYCLES = 2;

/** Every registered workload at once, against the real kalamdb-server (CI's short form). */
describe('every workload side by side against the real kalamdb-server', function () {
  this.timeout(30_000);
  const evidence = useEvidenceFolder('kalamdb-workloads-');
  // subscribers needs its subscriptions in place before the writes: it has its own scenario (tests/e2e-kalamdb/live-subscribers.test.ts).
  const mix = workloadNames().filter((name) => name !== 'subscribers');
  let run: RealRun;

  before(async function () {
    this.timeout(300_000);
    const serverBin = requireKalamdbBinary(this);
    run = await runRealCampaign(evidence(), serverBin, 'kill-mid-insert', ['--workload', mix.join(','), '--cycles', String(CYCLES), '--trigger', 'acks:60-160', '--seed', '1201'], 280_000);
  });

  it('exits 0, or 1 with known KalamDB findings only; never a tool error', () => {
    expectNoToolErrorNorFalseAlarm(run);
  });

  it(`runs each workload's checker after every restart, on operations the server acknowledged`, () => {
    expect(run.result.cycles, run.output).to.have.length(CYCLES);
    for (const cycle of run.result.cycles) {
      const ran = cycle.checks.map((check) => check.check);
      for (const name of mix.filter((workload) => workload !== 'append')) expect(ran, `cycle ${cycle.cycle}: ${name} judged (${run.runDir})`).to.include(name);
    }
    const acknowledgedBy = new Map<string, number>();
    const workloadOf = new Map<number, string>();
    for (const event of run.history) {
      if (event.event === 'request') workloadOf.set(event.requestId as number, ((event.op as { workload?: string } | undefined)?.workload ?? 'append'));
      if (event.event === 'response' && event.outcome === 'acknowledged') {
        const workload = workloadOf.get(event.requestId as number) ?? '?';
        acknowledgedBy.set(workload, (acknowledgedBy.get(workload) ?? 0) + 1);
      }
    }
    for (const name of mix) expect(acknowledgedBy.get(name) ?? 0, `${name}: acknowledged operations (${run.runDir})`).to.be.greaterThan(0);
  });

  it('leaves no server process behind', async () => {
    await expectNoServerLeft(run);
  });
});
