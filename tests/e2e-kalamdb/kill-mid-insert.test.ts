import { expect } from 'chai';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import {
  expectEveryCycleTested,
  expectInspectPasses,
  expectNoServerLeft,
  expectNoToolErrorNorFalseAlarm,
  runRealCampaign,
  useEvidenceFolder,
  type RealRun,
} from '../support/real-campaign.js';

const CYCLES = 3;

/** kill-mid-insert against the real kalamdb-server, driven through the CLI as a user would. */
describe('kill-mid-insert against the real kalamdb-server', function () {
  this.timeout(30_000);
  const evidence = useEvidenceFolder('kalamdb-kill-mid-insert-');
  let run: RealRun;

  before(async function () {
    this.timeout(240_000);
    const serverBin = requireKalamdbBinary(this);
    run = await runRealCampaign(evidence(), serverBin, 'kill-mid-insert', ['--cycles', String(CYCLES), '--trigger', 'acks:20-60', '--seed', '1101'], 220_000);
  });

  it('exits 0, or 1 with known KalamDB findings only; never a tool error', () => {
    expectNoToolErrorNorFalseAlarm(run);
    expect(run.result.target.kind).to.equal('kalamdb');
  });

  it(`kills the server in each of ${CYCLES} cycles after acknowledged inserts, and checks every acknowledged row`, () => {
    expectEveryCycleTested(run, CYCLES);
    expect(run.history.filter((event) => event.event === 'kill'), run.output).to.have.length(CYCLES);
    // Each restart really served the checks: the restart is recorded with its readiness time.
    for (const cycle of run.result.cycles) expect(cycle.restart?.readyMs, `cycle ${cycle.cycle}`).to.be.a('number');
  });

  it('leaves no server process behind', async () => {
    await expectNoServerLeft(run);
  });

  it('kalam-chaos inspect passes on the data directory it leaves', async () => {
    await expectInspectPasses(run, false);
  });
});
