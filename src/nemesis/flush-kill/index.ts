import { join, relative } from 'node:path';
import type { NemesisDefinition } from '../../run/seams.js';
import { classifyFlushLanding } from './landing.js';
import type { FlushCycleResult, FlushKillFault, FlushPhase } from '../../vocabulary/faults.js';
import { killNow, recordCrash, recordUnexpectedExit, untilTrigger } from '../crash.js';
import { killDuringFlush } from '../flush-kill.js';
import { FLUSH_PHASES, isFlushPhase } from '../flush-phase.js';
import { combineLandedPhases, planFlushCycles } from '../flush-plan.js';
import { listFlushJobs } from '../jobs-poll.js';
import { planKillTriggers } from '../kill-trigger.js';
import { TRIGGER_OPTION, UsageError, parseTriggerFlag } from '../options.js';
import { classifyLandedPhase, snapshotScope, type ScopeSnapshot } from '../phase-classifier.js';
import { detectSyscallInjection, wrapWithSyscallKill, type SyscallInjectionSupport } from '../strace.js';
import { describeFlushKill } from '../../report/result.js';
import { primeColdTier } from '../prime.js';

/**
 * After a seeded warmup, STORAGE FLUSH TABLE of a seeded table while the writers keep going, and a
 * SIGKILL at the chosen phase of that flush: seen from file events and system.jobs (watch), or
 * delivered by strace at the Nth rename (--precise).
 */
export const flushKill: NemesisDefinition<FlushKillFault> = {
  kind: 'flush-kill',
  summary: 'SIGKILL at a chosen phase of STORAGE FLUSH TABLE under load',
  crashes: true,
  options: [
    TRIGGER_OPTION,
    { flags: '--phase <phase>', description: `flush phase to kill at: ${FLUSH_PHASES.join(', ')}`, key: 'phase' },
    { flags: '--precise', description: 'kill at the exact rename with strace fault injection (needs ptrace; phases tmp-written and segment-renamed)', key: 'precise' },
  ],
  parse(spec, flags) {
    if (flags.phase !== undefined && !isFlushPhase(flags.phase)) throw new UsageError(`--phase must be one of ${FLUSH_PHASES.join(', ')}, got "${JSON.stringify(flags.phase)}"`);
    const phase = (flags.phase as FlushPhase | undefined) ?? spec.phase;
    if (flags.precise && phase === 'random') throw new UsageError('--precise needs a --phase other than random');
    if (flags.precise && (phase === 'job-running' || phase === 'hot-deleting')) {
      throw new UsageError(`--precise kills at a rename; it cannot aim at ${phase} (use the default watch triggers)`);
    }
    const warmup = parseTriggerFlag(flags);
    return { ...spec, phase, ...(warmup ? { warmup } : {}), ...(flags.precise ? { precision: 'syscall' as const } : {}) };
  },
  create(spec, { config, random }) {
    if (config.workload.tables.length === 0) {
      throw new UsageError(`a flush kill needs a table to flush, and --workload ${(config.workload.mix ?? []).join(',')} writes none in the run's namespace (add append or readers)`);
    }
    const schedule = planKillTriggers(spec.warmup, random, config.cycles);
    const plans = planFlushCycles(spec, config.workload.tables.map((table) => table.name), random.fork('flush'), config.cycles);
    const precise = spec.precision === 'syscall';
    let syscallSupport: SyscallInjectionSupport | undefined;
    const pending = new Map<number, { flush: FlushCycleResult; before: ScopeSnapshot[]; commandBefore: number }>();
    const scopeDirs = (dataDir: string, table: string): string[] => {
      const tableDir = join(dataDir, 'storage', config.workload.namespace, table);
      const found = config.workload.tables.find((candidate) => candidate.name === table);
      return found?.type === 'USER' ? config.workload.users.map((user) => join(tableDir, user)) : [tableDir];
    };
    return {
      kind: 'flush-kill',
      schedule,
      async launch(ctx, plan, incarnation) {
        // Under strace a server dies at its Nth rename: the first incarnation primes the cold tier unwrapped, so its renames do not count.
        const rename = incarnation.forCycle === undefined || (precise && incarnation.index === 0) ? undefined : plans[incarnation.forCycle - 1]?.killAtRename;
        if (rename === undefined) return plan;
        const support = (syscallSupport ??= await detectSyscallInjection());
        if (!support.available) throw new UsageError(`--precise needs strace fault injection, which this machine cannot provide: ${support.reason}`);
        // Node spreads file syscalls over its thread pool and strace counts per thread; one pool thread keeps the count exact.
        const env = ctx.target.kind === 'reference' ? { ...plan.env, UV_THREADPOOL_SIZE: '1' } : plan.env;
        return wrapWithSyscallKill({ ...plan, env }, { syscalls: ['rename'], nth: rename, logFile: join(incarnation.dir, 'strace.log') });
      },
      async setup(ctx) {
        // Every scope gets a first segment, so later flushes find their folders (and watches) in place.
        await primeColdTier(ctx);
        if (precise) {
          ctx.setStep('restart under strace');
          const exit = await ctx.stopServer();
          ctx.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: exit.exitCode, signal: exit.signal, expected: true });
          await ctx.startIncarnation(1);
        }
      },
      async crash(ctx, cycle, traffic) {
        const ended = await untilTrigger(ctx, traffic, schedule[cycle - 1]!);
        if (ended !== 'trigger') return recordCrash(ctx, cycle, 'flush-kill', traffic, await killNow(ctx, cycle, traffic, ended, spec.signal));
        // The writers keep going through the flush: a flush under load is the case that matters.
        ctx.setStep(`cycle ${cycle}: flush and kill`);
        const plan = plans[cycle - 1]!;
        const dirs = scopeDirs(ctx.dataDir, plan.table);
        const before = await Promise.all(dirs.map((dir) => snapshotScope(dir)));
        const commandBefore = ctx.facts.nextRequestId();
        const server = ctx.server();
        let writersInFlight = 0;
        const outcome = await killDuringFlush({
          client: ctx.client(),
          server,
          dataDir: ctx.dataDir,
          namespace: config.workload.namespace,
          table: plan.table,
          phase: spec.phase,
          precision: spec.precision,
          randomDelayMs: plan.randomDelayMs,
          deadlineMs: config.timeouts.cycleMs,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          kill: () => {
            // Same tick as the observation: stop issuing requests, then kill; requests in flight stay in flight.
            traffic.stop();
            writersInFlight = traffic.inFlight();
            server.signal(spec.signal);
          },
        });
        traffic.stop();
        const inFlight = outcome.ended === 'killed' ? writersInFlight : traffic.inFlight();
        const delivered = outcome.ended === 'killed' || outcome.trigger === 'syscall';
        const flush: FlushCycleResult = { ...plan, intended: spec.phase, precision: spec.precision, ...outcome, scopes: dirs.map((dir) => relative(ctx.dataDir, dir)) };
        ctx.record({ type: 'flush-kill', cycle, ...flush });
        const atMs = ctx.elapsedMs();
        if (outcome.ended === 'server-exit' && outcome.trigger !== 'syscall') await recordUnexpectedExit(ctx, cycle);
        pending.set(cycle, { flush, before, commandBefore });
        const description = delivered ? `${spec.signal} ${describeFlushKill(flush)} after ${traffic.acks.value()} acks with ${inFlight} in flight` : 'server exited on its own before the fault';
        return recordCrash(ctx, cycle, 'flush-kill', traffic, { delivered, signal: spec.signal, inFlight, description, atMs });
      },
      async afterCrash(ctx, cycle) {
        // Read the disk as the crash left it, before the restart cleans up temp files and orphans.
        const entry = pending.get(cycle);
        if (!entry) return;
        const after = await Promise.all(scopeDirs(ctx.dataDir, entry.flush.table).map((dir) => snapshotScope(dir)));
        entry.flush = { ...entry.flush, landedOnDisk: combineLandedPhases(after.map((snapshot, index) => classifyLandedPhase(entry.before[index]!, snapshot))) };
      },
      async afterRestart(ctx, cycle) {
        const entry = pending.get(cycle);
        if (!entry) return;
        pending.delete(cycle);
        // A job that completed before the kill means the kill came after the flush.
        const classified = classifyFlushLanding(entry.flush, await listFlushJobs(ctx.client()).catch(() => []));
        const landed = classified.landed ?? 'before-flush';
        ctx.record({
          type: 'flush-landed',
          cycle,
          intended: entry.flush.intended,
          landed,
          asIntended: classified.asIntended ?? false,
          ...(classified.landedOnDisk ? { landedOnDisk: classified.landedOnDisk } : {}),
          ...(classified.jobStatusAfterRestart ? { jobStatusAfterRestart: classified.jobStatusAfterRestart } : {}),
        });
        // A flush that reached its manifest (or that the restarted server ran again to the end) may have taken every
        // acknowledged row: from here on they are only maybe hot.
        if (landed === 'flush-completed' || landed === 'manifest-written' || classified.jobStatusAfterRestart === 'completed') {
          ctx.record({ type: 'flush-mark', cycle, table: entry.flush.table, commandBefore: entry.commandBefore, completedBefore: ctx.facts.nextRequestId() });
        }
      },
    };
  },
};
