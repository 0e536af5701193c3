import { expect } from 'chai';
import { LANDED_PHASES, type FlushPhase } from '../../src/nemesis/flush-phase.js';
import { requireKalamdbBinary } from '../support/kalamdb-binary.js';
import {
  expectEveryCycleTested,
  expectInspectPasses,
  expectNoServerLeft,
  expectNoToolErrorNorFalseAlarm,
  runRealCampaign,
  storageInspections,
  useEvidenceFolder,
  type RealRun,
} from '../support/real-campaign.js';

const PHASES: readonly FlushPhase[] = ['job-running', 'tmp-written', 'segment-renamed', 'manifest-written', 'hot-deleting'];
const CYCLES = 1;
/** Campaigns side by side: each is mostly waiting on the debug build's statements and restarts. */
const CONCURRENCY = 3;

/** kill-mid-flush at every phase against the real kalamdb-server, driven through the CLI as a user would. */
describe('kill-mid-flush against the real kalamdb-server, at every phase', function () {
  this.timeout(60_000);
  const evidence = useEvidenceFolder('kalamdb-kill-mid-flush-');
  const runs = new Map<FlushPhase, RealRun>();

  before(async function () {
    this.timeout(300_000);
    const serverBin = requireKalamdbBinary(this);
    const queue = [...PHASES];
    const worker = async () => {
      for (let phase = queue.shift(); phase; phase = queue.shift()) {
        const seed = 1201 + PHASES.indexOf(phase);
        runs.set(phase, await runRealCampaign(evidence(), serverBin, 'kill-mid-flush', ['--phase', phase, '--cycles', String(CYCLES), '--seed', String(seed)], 200_000));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });

  for (const phase of PHASES) {
    describe(`--phase ${phase}`, () => {
      const run = () => runs.get(phase)!;

      it('exits 0, or 1 with known KalamDB findings only; never a tool error', () => {
        expectNoToolErrorNorFalseAlarm(run(), ['flush-kill-missed-phase']);
      });

      it('kills mid-flush in every cycle, records where the kill landed, and checks the acknowledged rows', () => {
        expectEveryCycleTested(run(), CYCLES);
        for (const cycle of run().result.cycles) {
          const flush = cycle.flush;
          const label = `cycle ${cycle.cycle} ${JSON.stringify(flush)} (${run().runDir})`;
          expect(flush, label).to.be.an('object');
          expect(flush!.intended, label).to.equal(phase);
          expect(LANDED_PHASES, label).to.include(flush!.landed);
          expect(flush!.asIntended, label).to.be.a('boolean');
          expect(flush!.scopes.length, label).to.be.greaterThan(0);
          const names = cycle.checks.map((check) => check.check);
          for (const check of ['storage-after-crash', 'storage']) expect(names, label).to.include(check);
        }
      });

      it('inspected storage that holds manifests and segments, after the crash and at the end', () => {
        const inspections = storageInspections(run());
        for (const when of ['after-crash', 'after-restart', 'end']) {
          const seen = inspections.filter((inspection) => inspection.when === when);
          expect(seen.length, `${when} inspections (${run().runDir})`).to.be.greaterThan(0);
          for (const inspection of seen) {
            expect(inspection.totals.scopes, `${when}: scopes`).to.be.greaterThan(0);
            expect(inspection.totals.segments, `${when}: segments`).to.be.greaterThan(0);
          }
        }
      });

      it('leaves no server process behind', async () => {
        await expectNoServerLeft(run());
      });

      it('kalam-chaos inspect passes on the data directory it leaves and reports its segments', async () => {
        await expectInspectPasses(run(), true);
      });
    });
  }
});
