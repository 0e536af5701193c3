import { join } from 'node:path';
import fs from 'fs-extra';
import { firstBootFinding } from '../../power-loss/first-boot.js';
import { detectPowerLoss, startLossLayer, type LossLayer } from '../../power-loss/lossfs.js';
import { summarizePowerCut } from '../../report/result.js';
import type { NemesisDefinition } from '../../run/seams.js';
import { TargetSetupError } from '../../target/kalamdb.js';
import { seededRandom } from '../../util/random.js';
import type { PowerCutFault } from '../../vocabulary/faults.js';
import { UsageError } from '../options.js';

/**
 * The data directory is served through lossfs (a FUSE layer over the run's data/); after each crash
 * the layer cuts the power: only what was fsync'd (and entries whose directory was fsync'd) stays.
 * Composes with any fault that kills the server (kill: the power-loss scenario; flush-kill: --power-cut).
 */
export const powerCut: NemesisDefinition<PowerCutFault> = {
  kind: 'power-cut',
  summary: 'cut the power after the crash: unsynced writes are lost (or torn)',
  crashes: false,
  options: [{ flags: '--loss <mode>', description: 'power-loss: what a cut loses, unsynced (default) or torn', key: 'loss' }],
  parse(spec, flags) {
    if (flags.loss !== undefined && flags.loss !== 'unsynced' && flags.loss !== 'torn') throw new UsageError(`--loss must be unsynced or torn, got "${JSON.stringify(flags.loss)}"`);
    return flags.loss ? { ...spec, loss: flags.loss } : spec;
  },
  create(spec, { config }) {
    let python: string | undefined;
    let layer: LossLayer | undefined;
    let backing = '';
    return {
      kind: 'power-cut',
      async prepare() {
        const support = await detectPowerLoss();
        if (!support.available) throw new TargetSetupError(`power-loss needs lossfs, a FUSE layer this machine cannot provide: ${support.reason}`);
        python = support.python;
      },
      serverDataDir(runDir, backingDir) {
        backing = backingDir;
        return join(runDir, 'mnt');
      },
      // Each incarnation's data directory is a fresh lossfs mount over the backing data/.
      async launch(ctx, plan, incarnation) {
        if (layer) return plan;
        await fs.ensureDir(ctx.dataDir);
        layer = await startLossLayer({
          backing,
          mount: ctx.dataDir,
          report: join(incarnation.dir, 'power-cut.json'),
          loss: spec.loss,
          seed: seededRandom(config.seed).fork(`power-cut-${incarnation.index}`).int(1, 2 ** 31 - 1),
          python: python!,
        }).catch((error: Error) => {
          throw new Error(`power-loss layer: ${error.message}`);
        });
        return plan;
      },
      /**
       * Once the first boot, the schema and the users are in place, everything written so far counts
       * as durable (a journal commit); what a cut at that moment would have lost is the first-boot finding.
       */
      async setup(ctx) {
        if (!layer) return;
        ctx.setStep('settle the data directory after first boot');
        const finding = firstBootFinding(await layer.settle());
        ctx.record({ type: 'settle', cycle: 0, reason: 'first-boot', atRisk: finding.namesNotDurable, filesNotSynced: finding.filesNotSynced, entryOperationsNotDurable: finding.entryOperationsNotDurable });
      },
      async afterCrash(ctx, cycle) {
        if (!layer) return;
        ctx.setStep(`cycle ${cycle}: power cut`);
        const report = await layer.cut();
        layer = undefined;
        const summary = summarizePowerCut(report);
        ctx.record({ type: 'power-cut', cycle, ...summary });
        return `power cut (${spec.loss}): ${summary.filesCut.length} file(s) cut, ${summary.entriesUndone.length} entry operation(s) undone`;
      },
      async close() {
        await layer?.stop().catch(() => {});
        layer = undefined;
      },
    };
  },
};
