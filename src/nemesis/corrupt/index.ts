import { basename, dirname, join } from 'node:path';
import { judgeReadBack } from '../../checker/acknowledged-writes/compare.js';
import { classifyRecovery, RECOVERY_OUTCOMES, type StartOutcome } from '../../checker/recovery-outcome/classify.js';
import { damagedScopeOf, extractReadPaths, isVerboseLogLine } from '../../checker/recovery-outcome/read-path.js';
import type { CampaignContext, NemesisDefinition } from '../../run/seams.js';
import { tailFile } from '../../target/supervisor.js';
import { withDeadline } from '../../util/wait.js';
import type { EventOf } from '../../vocabulary/events.js';
import type { AppliedCorruption, Corruption, CorruptFault, RecoveryOutcomeName } from '../../vocabulary/faults.js';
import { isAppendScope } from '../../workload/scopes.js';
import type { InsertWorkloadSpec } from '../../vocabulary/scenario.js';
import type { Scope, Violation } from '../../vocabulary/violations.js';
import { applyCorruption, archiveManifests, describeCorruption, undoCorruption, type ManifestArchive } from '../corruption.js';
import { recordCrash, untilTrigger } from '../crash.js';
import { planKillTriggers } from '../kill-trigger.js';
import { evictManifestCacheEntry } from '../manifest-cache.js';
import { TRIGGER_OPTION, UsageError, parseTriggerFlag } from '../options.js';
import { primeColdTier } from '../prime.js';
import { seededRandom } from '../../util/random.js';

/**
 * Writes and flushes under load, stops the server (SIGKILL or clean), damages one cold-tier file
 * (keeping the original), restarts within the readiness deadline and records how the server came
 * back. After any outcome but `rebuilt` the original is put back and the server restarted, so the
 * cycle's checks hold it to every acknowledged row again.
 */
export const corrupt: NemesisDefinition<CorruptFault> = {
  kind: 'corrupt',
  summary: 'damage one manifest.json or parquet segment of a stopped server, judge the restart',
  crashes: true,
  options: [
    TRIGGER_OPTION,
    { flags: '--kind <kind>', description: 'corrupt-*: only this corruption kind (default: every kind of the scenario in turn)', key: 'kind' },
    { flags: '--accept <outcomes>', description: `corrupt-*: comma-separated outcomes that pass (${RECOVERY_OUTCOMES.join(', ')})`, key: 'accept' },
    { flags: '--stop <how>', description: 'corrupt-*, upgrade: stop the server with kill (SIGKILL) or clean (SIGTERM) before the damage or the upgrade', key: 'stop' },
  ],
  parse(spec, flags) {
    let corruptions = spec.corruptions;
    if (typeof flags.kind === 'string') {
      const files = new Set(spec.corruptions.map((corruption) => corruption.file));
      corruptions = spec.corruptions.filter((corruption) => corruption.kind === flags.kind);
      if (corruptions.length === 0) {
        const known = [...new Set(spec.corruptions.map((corruption) => corruption.kind))].join(', ');
        throw new UsageError(`--kind for ${[...files].join('/')} corruption must be one of ${known}, got "${flags.kind}"`);
      }
    }
    let accept = spec.accept;
    if (typeof flags.accept === 'string') {
      const wanted = flags.accept.split(',').map((value) => value.trim());
      const unknown = wanted.filter((value) => !(RECOVERY_OUTCOMES as readonly string[]).includes(value));
      if (unknown.length > 0 || wanted.length === 0) throw new UsageError(`--accept takes outcomes from ${RECOVERY_OUTCOMES.join(', ')}, got "${flags.accept}"`);
      accept = wanted as RecoveryOutcomeName[];
    }
    if (flags.stop !== undefined && flags.stop !== 'kill' && flags.stop !== 'clean') throw new UsageError(`--stop must be kill or clean, got "${JSON.stringify(flags.stop)}"`);
    const warmup = parseTriggerFlag(flags);
    return { ...spec, corruptions, accept, ...(flags.stop ? { stop: flags.stop } : {}), ...(warmup ? { warmup } : {}) };
  },
  create(spec, { config, random }) {
    if (!config.workload.tables.some(isAppendScope)) {
      throw new UsageError(`corruption damages the append workload's segments, and --workload ${(config.workload.mix ?? []).join(',')} has no append table (add append)`);
    }
    const schedule = planKillTriggers(spec.warmup, random, config.cycles);
    const archive: ManifestArchive = new Map();
    const damage = new Map<number, { applied: AppliedCorruption; corruption: Corruption; evictionPath: string | undefined }>();
    const seed = config.seed;
    return {
      kind: 'corrupt',
      schedule,
      setup: primeColdTier,
      beforeCycle: (ctx) => archiveManifests(ctx.dataDir, archive),
      async crash(ctx, cycle, traffic) {
        ctx.setStep(`cycle ${cycle}: workload and flush`);
        await untilTrigger(ctx, traffic, schedule[cycle - 1]!);
        for (const table of ctx.workload.tables) await ctx.flushTable(table, cycle);
        traffic.stop();
        await withDeadline(traffic.finished, 'writers to settle', ctx.config.timeouts.requestMs + 5_000);
        ctx.setStep(`cycle ${cycle}: stop the server`);
        const atMs = ctx.elapsedMs();
        if (spec.stop === 'kill') ctx.server().signal('SIGKILL');
        else await ctx.stopServer();
        const signal = spec.stop === 'kill' ? 'SIGKILL' : 'SIGTERM';
        return recordCrash(ctx, cycle, 'corrupt', traffic, { delivered: true, signal, inFlight: 0, atMs, description: spec.stop === 'kill' ? 'SIGKILL' : 'clean stop' });
      },
      async afterCrash(ctx, cycle) {
        ctx.setStep(`cycle ${cycle}: corrupt`);
        const corruption = spec.corruptions[(cycle - 1) % spec.corruptions.length]!;
        const applied = await applyCorruption({
          dataDir: ctx.dataDir,
          runDir: ctx.runDir,
          keepDir: join(ctx.runDir, 'corruptions', `cycle-${cycle}`),
          corruption,
          random: seededRandom(seed).fork(`corruption-${cycle}`),
          archive,
          // Only the append tables: the damaged-data classification judges their reads against the ledger.
          within: (path) => {
            const scope = scopeOfStoragePath(config.workload, path);
            return scope !== undefined && isAppendScope(config.workload.tables.find((table) => `${config.workload.namespace}.${table.name}` === scope.table) ?? {});
          },
        });
        ctx.record({ type: 'corruption', cycle, ...applied });
        // kalamdb-server reads manifest.json only when its RocksDB manifest cache has no entry for the
        // scope, and nothing in 0.4.3-rc.4 removes entries: take it out so the restart meets the damage.
        const evictionPath = ctx.target.kind === 'kalamdb' ? cacheEvictionPath(applied.path, corruption) : undefined;
        damage.set(cycle, { applied, corruption, evictionPath });
        return `then ${describeCorruption(corruption)} of ${applied.path}: ${applied.detail}`;
      },
      async restart(ctx, cycle) {
        const { applied, corruption, evictionPath } = damage.get(cycle)!;
        const cacheEviction = evictionPath ? await evictManifestCacheEntry(ctx.dataDir, evictionPath) : undefined;
        ctx.setStep(`cycle ${cycle}: restart on damaged data`);
        const start = await startOnDamage(ctx);
        // Each read judged against the ledger as it stood then (the probe's row is not missing from a read before it).
        const violations: Violation[] = [];
        const judged = (readBacks: readonly EventOf<'read-back'>[]) =>
          readBacks.filter(isAppendScope).flatMap((readBack) => judgeReadBack(ctx.facts.ledger.rowsIn({ table: readBack.table, partition: readBack.partition }), readBack).violations);
        const writeErrors: string[] = [];
        if (start.kind === 'ready') {
          ctx.record({ type: 'restart', cycle, incarnation: ctx.incarnation(), readyMs: start.readyMs });
          const scope = scopeOfStoragePath(config.workload, applied.path);
          // A read before any write: a scan is the only reader of an orphan, and on a cache miss it goes
          // around manifest.json (the write after it reads the file and caches what it got).
          ctx.setStep(`cycle ${cycle}: read the damaged data`);
          violations.push(...judged(await ctx.workload.readBack(ctx, cycle, 'damaged')));
          if (scope) {
            ctx.setStep(`cycle ${cycle}: write into the damaged scope`);
            const probe = await ctx.workload.probe(ctx, cycle, scope);
            if (probe.error) writeErrors.push(probe.error);
          }
          ctx.setStep(`cycle ${cycle}: checks on damaged data`);
          violations.push(...judged(await ctx.workload.readBack(ctx, cycle, 'damaged')));
        }
        const outcome = await judgeRestart(ctx, applied, corruption, start, violations, writeErrors);
        const accepted = spec.accept.includes(outcome.outcome);
        ctx.record({
          type: 'recovery-outcome',
          cycle,
          outcome: outcome.outcome,
          accepted,
          damageRead: outcome.damageRead,
          evidence: outcome.evidence,
          readPaths: outcome.readPaths,
          ...(cacheEviction ? { cacheEviction } : {}),
          acceptable: [...spec.accept],
          corruption: describeCorruption(corruption),
          path: applied.path,
        });
        if (outcome.outcome !== 'rebuilt') {
          ctx.setStep(`cycle ${cycle}: restore the original and restart`);
          if (!ctx.server().hasExited()) await ctx.stopServer();
          await undoCorruption(applied, ctx.dataDir, ctx.runDir);
          // The cache may now hold what the server made of the damage: evict it so the original is read.
          if (evictionPath) await evictManifestCacheEntry(ctx.dataDir, evictionPath);
          ctx.record({ type: 'corruption-restored', cycle, path: applied.path });
          const readyMs = await ctx.startIncarnation(undefined);
          ctx.record({ type: 'restart', cycle, incarnation: ctx.incarnation(), readyMs });
        }
        return true;
      },
    };
  },
};

type Started = StartOutcome & { readonly readyMs?: number };

/** Starts the server on the damaged data directory: ready, exited, or hung past the readiness deadline (then killed). */
async function startOnDamage(ctx: CampaignContext): Promise<Started & ({ kind: 'ready'; readyMs: number } | { kind: 'exited' | 'hang' })> {
  try {
    const readyMs = await ctx.startIncarnation(undefined);
    return { kind: 'ready', readyMs };
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    const current = ctx.server();
    let start: { kind: 'exited'; exitCode: number | null; signal: string | null } | { kind: 'hang' };
    if (current.hasExited()) {
      const ended = await current.exited;
      start = { kind: 'exited', exitCode: ended.exitCode, signal: ended.signal };
    } else {
      start = { kind: 'hang' };
      current.signal('SIGKILL');
      await withDeadline(current.exited, 'hung server to exit', ctx.config.timeouts.exitMs);
    }
    ctx.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: null, signal: start.kind, expected: false });
    return start;
  }
}

/** How the server came back, from what it said (logs, errors) and what it served. */
async function judgeRestart(ctx: CampaignContext, applied: AppliedCorruption, corruption: Corruption, start: StartOutcome, violations: Violation[], writeErrors: string[]) {
  const server = ctx.server();
  const allLogLines = [...(await tailFile(server.stdoutPath, 4000)), ...(await tailFile(server.stderrPath, 100))];
  // The read-path targets log at trace/debug; a refusal or panic is said at info and above.
  const logLines = allLogLines.filter((line) => !isVerboseLogLine(line));
  const damagedDir = dirname(applied.path);
  // How a server may name the damage: the file, its folder, or the table (KalamDB writes ns:table ids).
  const [, namespace, table] = applied.path.split('/');
  const names = [basename(applied.path), damagedDir, join(ctx.dataDir, applied.path), `${namespace}.${table}`, `${namespace}:${table}`];
  const damagedScope = damagedScopeOf(applied.path, corruption.file);
  const readPaths = damagedScope
    ? extractReadPaths({ logLines: allLogLines, errors: [...writeErrors, ...violations.flatMap((violation) => (violation.kind === 'unreadable' ? [violation.error] : []))], scope: damagedScope })
    : [];
  const classified = classifyRecovery({ start, logLines, violations, writeErrors, names });
  return {
    ...classified,
    readPaths,
    evidence: [...classified.evidence, ...readPaths.map((path) => `read path ${path.path}: ${path.line}`)],
    damageRead: classified.damageRead || readPaths.some((path) => path.readsFile),
  };
}

/** The workload table and partition a cold-tier path (storage/<ns>/<table>[/<user>]/file) belongs to. */
export function scopeOfStoragePath(workload: InsertWorkloadSpec, path: string): Scope | undefined {
  const [root, namespace, tableName, maybeUser] = path.split('/');
  const table = workload.tables.find((candidate) => candidate.name === tableName);
  if (root !== 'storage' || namespace !== workload.namespace || !table) return undefined;
  const name = `${workload.namespace}.${table.name}`;
  if (table.type !== 'USER') return { table: name, partition: null };
  return maybeUser && workload.users.includes(maybeUser) ? { table: name, partition: maybeUser } : undefined;
}

/**
 * The manifest.json whose cache entry a kalamdb target must lose for the damage to be read: the
 * damaged manifest itself, or the manifest of an orphan's folder (only a directory scan reads an
 * orphan). Other parquet damage is met through the cached manifest, which names the file.
 */
function cacheEvictionPath(path: string, corruption: Corruption): string | undefined {
  if (corruption.file === 'manifest') return path;
  return corruption.kind === 'orphan' ? join(dirname(path), 'manifest.json') : undefined;
}
