import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { judgeReadBack } from '../../checker/acknowledged-writes/compare.js';
import type { StartOutcome } from '../../checker/recovery-outcome/classify.js';
import { classifyUpgrade, UPGRADE_OUTCOMES } from '../../checker/upgrade-outcome/classify.js';
import type { CampaignContext, NemesisDefinition } from '../../run/seams.js';
import { assertExecutable, TargetSetupError } from '../../target/kalamdb.js';
import { tailFile } from '../../target/supervisor.js';
import { withDeadline } from '../../util/wait.js';
import type { EventOf } from '../../vocabulary/events.js';
import type { ServerRelease, UpgradeFault, UpgradeOutcomeName } from '../../vocabulary/faults.js';
import type { Violation } from '../../vocabulary/violations.js';
import { isAppendScope } from '../../workload/scopes.js';
import { killNow, recordCrash, untilTrigger } from '../crash.js';
import { planKillTriggers } from '../kill-trigger.js';
import { TRIGGER_OPTION, UsageError, parseTriggerFlag } from '../options.js';
import { diskFormatOf } from './disk-format.js';

type Side = 'from' | 'to';

/**
 * Cycle 1 writes and flushes on the `from` release and stops it; `to` is started on the same data
 * directory and judged (upgraded, refused, panic, hang, silent-loss). Later cycles write, flush and
 * SIGKILL `to`. With --downgrade the last cycle stops `to` cleanly and judges `from` on its data.
 */
export const upgrade: NemesisDefinition<UpgradeFault> = {
  kind: 'upgrade',
  summary: 'write on one release, stop it, start the next on the same data directory, judge it, keep crashing it',
  crashes: true,
  options: [
    TRIGGER_OPTION,
    { flags: '--from-bin <path>', description: 'upgrade: the older kalamdb-server binary that writes first (--target kalamdb)', key: 'fromBin' },
    { flags: '--to-bin <path>', description: 'upgrade: the newer kalamdb-server binary started on its data (--target kalamdb)', key: 'toBin' },
    { flags: '--from-format <n>', description: 'upgrade: the reference server\'s older on-disk format (default 1)', key: 'fromFormat' },
    { flags: '--to-format <n>', description: 'upgrade: the reference server\'s newer on-disk format (default 2)', key: 'toFormat' },
    { flags: '--stop <how>', description: 'corrupt-*, upgrade: stop the server with kill (SIGKILL) or clean (SIGTERM) before the damage or the upgrade', key: 'stop' },
    { flags: '--kill-first-start', description: 'upgrade: SIGKILL the first start of the newer release before it is ready, then start it again', key: 'killFirstStart' },
    { flags: '--downgrade', description: 'upgrade: in the last cycle stop the newer release and start the older one on its data', key: 'downgrade' },
  ],
  parse(spec, flags) {
    if (flags.stop !== undefined && flags.stop !== 'kill' && flags.stop !== 'clean') throw new UsageError(`--stop must be kill or clean, got "${JSON.stringify(flags.stop)}"`);
    const bins = flags.fromBin !== undefined || flags.toBin !== undefined;
    const formats = flags.fromFormat !== undefined || flags.toFormat !== undefined;
    if (bins && formats) throw new UsageError('upgrade takes --from-bin/--to-bin (kalamdb) or --from-format/--to-format (reference), not both');
    let from: ServerRelease | undefined;
    let to: ServerRelease | undefined;
    if (bins) {
      if (typeof flags.fromBin !== 'string' || typeof flags.toBin !== 'string') throw new UsageError('upgrade needs both --from-bin PATH and --to-bin PATH');
      from = { bin: resolve(flags.fromBin) };
      to = { bin: resolve(flags.toBin) };
    } else {
      const format = (value: unknown, flag: string, fallback: number) => {
        if (value === undefined) return fallback;
        const n = Number(value);
        if (n !== 1 && n !== 2) throw new UsageError(`${flag} must be 1 or 2 (the reference server's on-disk formats), got "${JSON.stringify(value)}"`);
        return n;
      };
      from = { format: format(flags.fromFormat, '--from-format', 1) };
      to = { format: format(flags.toFormat, '--to-format', 2) };
    }
    const warmup = parseTriggerFlag(flags);
    return { ...spec, from, to, ...(flags.stop ? { stop: flags.stop } : {}), ...(warmup ? { warmup } : {}), killFirstStart: flags.killFirstStart === true, downgrade: flags.downgrade === true };
  },
  create(spec, { config, random }) {
    const from = spec.from ?? { format: 1 };
    const to = spec.to ?? { format: 2 };
    const isBin = 'bin' in from;
    if (isBin !== (config.target.kind === 'kalamdb')) {
      throw new UsageError(config.target.kind === 'kalamdb' ? 'upgrade --target kalamdb needs --from-bin PATH --to-bin PATH' : 'upgrade --target reference takes --from-format/--to-format, not binaries');
    }
    if (spec.downgrade && config.cycles < 2) throw new UsageError('upgrade --downgrade needs --cycles 2 or more (the first upgrades, the last downgrades)');
    const schedule = planKillTriggers(spec.warmup, random, config.cycles);
    const firstStartDelay = random.fork('first-start-kill');
    let running: Side = 'from';
    const versionOf: Partial<Record<Side, string>> = {};
    const label: Record<Side, string> = { from: describeRelease(from), to: describeRelease(to) };
    const release = (side: Side) => (side === 'from' ? from : to);

    async function start(ctx: CampaignContext, cycle: number, side: Side): Promise<StartOutcome & { readyMs?: number }> {
      running = side;
      try {
        const readyMs = await ctx.startIncarnation(undefined);
        ctx.record({ type: 'restart', cycle, incarnation: ctx.incarnation(), readyMs });
        versionOf[side] = (await reportedVersion(ctx.server().baseUrl)) ?? versionOf[side];
        return { kind: 'ready', readyMs };
      } catch (error) {
        if (ctx.signal?.aborted) throw error;
        const current = ctx.server();
        if (current.hasExited()) {
          const ended = await current.exited;
          ctx.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: ended.exitCode, signal: ended.signal, expected: false });
          return { kind: 'exited', exitCode: ended.exitCode, signal: ended.signal };
        }
        current.signal('SIGKILL');
        await withDeadline(current.exited, 'hung server to exit', ctx.config.timeouts.exitMs);
        ctx.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: null, signal: 'hang', expected: false });
        return { kind: 'hang' };
      }
    }

    /** Starts `side`, SIGKILLing it at a seeded moment before it is ready; then starts it again. */
    async function startKilledOnce(ctx: CampaignContext, cycle: number, side: Side): Promise<StartOutcome & { readyMs?: number }> {
      // Within the time a first start takes: kalamdb-server (debug build) 1-2 s, the reference server a few hundred ms.
      const afterMs = Math.round(isBin ? 20 + firstStartDelay.next() * 1_500 : 5 + firstStartDelay.next() * 150);
      let delivered = false;
      const previous = ctx.incarnation();
      let timer: NodeJS.Timeout | undefined;
      // The delay counts from the new process's spawn: until then ctx.server() is the stopped release.
      const watch = setInterval(() => {
        if (ctx.incarnation() === previous || ctx.server().incarnation === previous) return;
        clearInterval(watch);
        timer = setTimeout(() => {
          const server = ctx.server();
          if (!server.hasExited()) {
            delivered = true;
            server.signal('SIGKILL');
          }
        }, afterMs);
      }, 1);
      running = side;
      const first = await ctx.startIncarnation(undefined).then(
        () => 'ready' as const,
        (error: unknown) => {
          if (ctx.signal?.aborted) throw error;
          return 'failed' as const;
        },
      );
      clearInterval(watch);
      clearTimeout(timer);
      const killedBeforeReady = delivered && first === 'failed';
      ctx.record({ type: 'first-start-kill', cycle, incarnation: ctx.incarnation(), afterMs, delivered: killedBeforeReady });
      if (first === 'ready') {
        ctx.record({ type: 'fault', cycle, fault: 'upgrade', signal: 'SIGKILL', delivered: false, acksThisCycle: 0, inFlight: 0, atMs: ctx.elapsedMs(), description: `first start was ready before the kill at ${afterMs} ms` });
        await ctx.stopServer();
      } else if (!killedBeforeReady) {
        return { kind: 'exited', exitCode: (await ctx.server().exited).exitCode, signal: null };
      }
      return start(ctx, cycle, side);
    }

    /** The release now running, judged on what it serves of every acknowledged row. */
    async function judge(ctx: CampaignContext, cycle: number, direction: 'upgrade' | 'downgrade', started: StartOutcome): Promise<UpgradeOutcomeName> {
      const violations: Violation[] = [];
      if (started.kind === 'ready') {
        ctx.setStep(`cycle ${cycle}: read back after the ${direction}`);
        const readBacks = await ctx.workload.readBack(ctx, cycle, 'damaged');
        violations.push(...readBacks.filter(isAppendScope).flatMap((readBack: EventOf<'read-back'>) => judgeReadBack(ctx.facts.ledger.rowsIn({ table: readBack.table, partition: readBack.partition }), readBack).violations));
      }
      const server = ctx.server();
      const logLines = [...(await tailFile(server.stdoutPath, 4000)), ...(await tailFile(server.stderrPath, 200))];
      const classified = classifyUpgrade({ start: started, logLines, violations });
      const acceptable = direction === 'upgrade' ? spec.accept : spec.acceptDowngrade;
      const other: Side = running === 'to' ? 'from' : 'to';
      const name = (side: Side) => (versionOf[side] ? `${versionOf[side]} (${label[side]})` : label[side]);
      const [older, newer] = [name(other), name(running)];
      ctx.record({
        type: 'upgrade-outcome',
        cycle,
        direction,
        outcome: classified.outcome,
        accepted: acceptable.includes(classified.outcome),
        acceptable: [...acceptable],
        from: older,
        to: newer,
        evidence: classified.evidence,
      });
      return classified.outcome;
    }

    const recordFormat = async (ctx: CampaignContext, cycle: number, when: EventOf<'disk-format'>['when']) => {
      const found = await diskFormatOf(ctx.backingDataDir, isBin ? 'kalamdb' : 'reference');
      ctx.record({ type: 'disk-format', cycle, when, ...found });
    };

    const downgradeCycle = spec.downgrade ? config.cycles : undefined;
    return {
      kind: 'upgrade',
      schedule,
      async prepare() {
        if ('bin' in from && 'bin' in to) {
          assertExecutable(from.bin, '--from-bin kalamdb-server binary');
          assertExecutable(to.bin, '--to-bin kalamdb-server binary');
        } else if (!('format' in from) || !('format' in to)) {
          throw new TargetSetupError('upgrade: --from and --to must both be binaries or both formats');
        }
      },
      async launch(_ctx, plan) {
        const chosen = release(running);
        if ('bin' in chosen) return { ...plan, command: chosen.bin };
        return { ...plan, args: [...plan.args, '--format', String(chosen.format)] };
      },
      async beforeSchema(ctx) {
        // An older release acts only as users that exist (0.4.2 checks EXECUTE AS USER's target).
        ctx.setStep('create the users of USER tables');
        for (const user of config.workload.users) {
          const password = randomBytes(12).toString('hex');
          const answer = await ctx.client().query(`CREATE USER ${user} WITH PASSWORD '${password}' ROLE user`).catch((error: Error) => ({ error: error.message.split(password).join('***') }));
          if ('error' in answer && typeof answer.error === 'string') throw new Error(`upgrade: CREATE USER ${user} failed: ${answer.error}`);
        }
        versionOf.from = await reportedVersion(ctx.server().baseUrl);
      },
      async crash(ctx, cycle, traffic) {
        ctx.setStep(`cycle ${cycle}: workload and flush on ${label[running]}`);
        const ended = await untilTrigger(ctx, traffic, schedule[cycle - 1]!);
        if (ended === 'trigger') for (const table of ctx.workload.tables) await ctx.flushTable(table, cycle);
        if (cycle !== 1 && cycle !== downgradeCycle) return recordCrash(ctx, cycle, 'upgrade', traffic, await killNow(ctx, cycle, traffic, ended, 'SIGKILL'));
        traffic.stop();
        await withDeadline(traffic.finished, 'writers to settle', ctx.config.timeouts.requestMs + 5_000);
        const atMs = ctx.elapsedMs();
        const clean = cycle === downgradeCycle || spec.stop === 'clean';
        ctx.setStep(`cycle ${cycle}: stop ${label[running]}`);
        if (clean) await ctx.stopServer();
        else ctx.server().signal('SIGKILL');
        const description = `${clean ? 'clean stop' : 'SIGKILL'} of ${label[running]} before ${cycle === downgradeCycle ? 'the downgrade' : 'the upgrade'}`;
        return recordCrash(ctx, cycle, 'upgrade', traffic, { delivered: true, signal: clean ? 'SIGTERM' : 'SIGKILL', inFlight: 0, atMs, description });
      },
      async restart(ctx, cycle) {
        if (cycle !== 1 && cycle !== downgradeCycle) {
          const started = await start(ctx, cycle, running);
          if (started.kind !== 'ready') throw new Error(`${label[running]} did not come back after a kill (${started.kind})`);
          return true;
        }
        if (cycle === 1) {
          await recordFormat(ctx, cycle, 'before-upgrade');
          ctx.setStep(`cycle ${cycle}: start ${label.to} on the data of ${label.from}`);
          const started = spec.killFirstStart ? await startKilledOnce(ctx, cycle, 'to') : await start(ctx, cycle, 'to');
          const outcome = await judge(ctx, cycle, 'upgrade', started);
          await recordFormat(ctx, cycle, 'after-upgrade');
          if (started.kind === 'ready' && outcome !== 'refused') return true;
          // The newer release would not run: the older one must still serve everything it acknowledged.
          if (started.kind === 'ready') await ctx.stopServer();
          ctx.setStep(`cycle ${cycle}: back to ${label.from}`);
          const back = await start(ctx, cycle, 'from');
          return back.kind === 'ready';
        }
        ctx.setStep(`cycle ${cycle}: start ${label.from} on the data of ${label.to}`);
        const started = await start(ctx, cycle, 'from');
        const outcome = await judge(ctx, cycle, 'downgrade', started);
        await recordFormat(ctx, cycle, 'after-downgrade');
        if (started.kind === 'ready' && outcome === 'upgraded') return true;
        if (started.kind === 'ready') await ctx.stopServer();
        ctx.setStep(`cycle ${cycle}: back to ${label.to}`);
        const back = await start(ctx, cycle, 'to');
        return back.kind === 'ready';
      },
    };
  },
};

/** What the health endpoint says the running release is (both servers report `version`). */
async function reportedVersion(baseUrl: string): Promise<string | undefined> {
  try {
    const answer = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = (await answer.json()) as { version?: unknown };
    return typeof body.version === 'string' ? body.version : undefined;
  } catch {
    return undefined;
  }
}

function describeRelease(release: ServerRelease): string {
  return 'bin' in release ? release.bin : `reference format ${release.format}`;
}

export { UPGRADE_OUTCOMES };
