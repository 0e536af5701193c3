import { basename, dirname, join } from 'node:path';
import { damagedScopeOf, extractReadPaths, isVerboseLogLine } from '../checker/manifest-read-path.js';
import { checkAcknowledgedWrites } from '../checker/acknowledged-writes.js';
import type { MetadataSnapshot } from '../checker/metadata.js';
import { classifyRecovery, type StartOutcome } from '../checker/recovery-outcome.js';
import type { CheckResult, Scope } from '../checker/types.js';
import type { SqlClient } from '../client/sql-client.js';
import type { History } from '../history/history.js';
import { applyCorruption, archiveManifests, describeCorruption, undoCorruption, type ManifestArchive } from '../nemesis/corruption.js';
import { evictManifestCacheEntry } from '../nemesis/manifest-cache.js';
import { createAckCounter, triggerFired, type KillTrigger } from '../nemesis/kill-trigger.js';
import type { CycleResult, ViolationRecord } from '../report/result.js';
import type { CorruptNemesis } from '../scenario/types.js';
import { tailFile, type ServerExit, type ServerProcess } from '../target/supervisor.js';
import { abortPromise } from '../util/abort.js';
import { seededRandom } from '../util/random.js';
import { withDeadline } from '../util/wait.js';
import { probeInsert, startWriters, type InsertWorkloadSpec, type TableSpec, type WorkloadState } from '../workload/insert-workload.js';
import type { Ledger } from '../workload/ledger.js';
import type { CampaignConfig, CampaignHooks } from './campaign.js';

/** What a corruption cycle needs from the campaign running it. */
export interface CorruptionCycleContext {
  readonly config: CampaignConfig;
  readonly hooks: CampaignHooks;
  readonly runDir: string;
  readonly dataDir: string;
  readonly history: History;
  readonly ledger: Ledger;
  readonly workloadState: WorkloadState;
  readonly manifestArchive: ManifestArchive;
  client(): SqlClient;
  server(): ServerProcess;
  incarnation(): number;
  setStep(step: string): void;
  startIncarnation(): Promise<number>;
  /** SIGTERM (after closing the client's connections), SIGKILL after the grace period. */
  stopServer(): Promise<ServerExit>;
  flushTable(table: TableSpec, cycle: number): Promise<void>;
  snapshotCrash(cycle: number): Promise<void>;
  runChecks(cycle: number, before: MetadataSnapshot): Promise<CheckResult[]>;
  allScopes(): Scope[];
}

/**
 * One corruption cycle: write and flush under load, stop the server, damage one file (keeping the
 * original), restart within the readiness deadline and classify the outcome. After any outcome
 * but `rebuilt` the original is put back and the server must serve every acknowledged row again.
 */
export async function runCorruptionCycle(
  ctx: CorruptionCycleContext,
  cycle: number,
  nemesis: CorruptNemesis,
  trigger: KillTrigger,
  before: MetadataSnapshot,
): Promise<{ result: CycleResult; violations: ViolationRecord[] }> {
  const { config, history } = ctx;
  ctx.setStep(`cycle ${cycle}: workload and flush`);
  await archiveManifests(ctx.dataDir, ctx.manifestArchive);
  const acks = createAckCounter();
  const writers = startWriters({ client: ctx.client(), spec: config.workload, state: ctx.workloadState, ledger: ctx.ledger, history, cycle, onAcknowledged: () => acks.add(1) });
  const fire = triggerFired(trigger, acks);
  await Promise.race([fire.fired, writers.finished, abortPromise(ctx.hooks.signal)]);
  fire.cancel();
  for (const table of config.workload.tables) await ctx.flushTable(table, cycle);
  writers.stop();
  await withDeadline(writers.finished, 'writers to settle', config.timeouts.requestMs + 5_000);

  ctx.setStep(`cycle ${cycle}: stop the server`);
  const server = ctx.server();
  const atMs = history.elapsedMs();
  if (nemesis.stop === 'kill') server.signal('SIGKILL');
  const exit = nemesis.stop === 'kill' ? await withDeadline(server.exited, 'server exit after SIGKILL', config.timeouts.exitMs) : await ctx.stopServer();
  if (nemesis.stop === 'kill') history.record({ type: 'kill', cycle, incarnation: ctx.incarnation(), signal: 'SIGKILL', acksThisCycle: acks.value(), inFlight: 0 });
  history.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: exit.exitCode, signal: exit.signal, expected: true });
  ctx.ledger.settleAllPending();
  const rows = ctx.ledger.rowCounts(cycle);

  ctx.setStep(`cycle ${cycle}: corrupt`);
  const corruption = nemesis.corruptions[(cycle - 1) % nemesis.corruptions.length]!;
  const applied = await applyCorruption({
    dataDir: ctx.dataDir,
    runDir: ctx.runDir,
    keepDir: join(ctx.runDir, 'corruptions', `cycle-${cycle}`),
    corruption,
    random: seededRandom(config.seed).fork(`corruption-${cycle}`),
    archive: ctx.manifestArchive,
  });
  history.record({ type: 'corruption', cycle, ...applied });
  // kalamdb-server reads manifest.json only when its RocksDB manifest cache has no entry for the
  // scope, and nothing in 0.4.3-rc.4 removes entries: take it out so the restart meets the damage.
  const evictionPath = cacheEvictionPath(config, applied.path, corruption);
  const cacheEviction = evictionPath ? await evictManifestCacheEntry(ctx.dataDir, evictionPath) : undefined;
  await ctx.snapshotCrash(cycle);
  ctx.hooks.onProgress?.({ kind: 'fault', cycle, cycles: config.cycles, description: `${nemesis.stop === 'kill' ? 'SIGKILL' : 'clean stop'}, then ${describeCorruption(corruption)} of ${applied.path}: ${applied.detail}` });

  ctx.setStep(`cycle ${cycle}: restart on damaged data`);
  let start: StartOutcome;
  let readyMs: number | undefined;
  try {
    readyMs = await ctx.startIncarnation();
    start = { kind: 'ready' };
  } catch (error) {
    if (ctx.hooks.signal?.aborted) throw error;
    const current = ctx.server();
    if (current.hasExited()) {
      const ended = await current.exited;
      start = { kind: 'exited', exitCode: ended.exitCode, signal: ended.signal };
    } else {
      start = { kind: 'hang' };
      current.signal('SIGKILL');
      await withDeadline(current.exited, 'hung server to exit', config.timeouts.exitMs);
    }
    history.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: null, signal: start.kind, expected: false });
  }
  const checks: CheckResult[] = [];
  const writeErrors: string[] = [];
  if (start.kind === 'ready') {
    const scope = scopeOfStoragePath(config.workload, applied.path);
    // A read before any write: a scan is the only reader of an orphan, and on a cache miss it goes
    // around manifest.json (the write after it reads the file and caches what it got).
    ctx.setStep(`cycle ${cycle}: read the damaged data`);
    checks.push(await checkAcknowledgedWrites({ client: ctx.client(), ledger: ctx.ledger, scopes: ctx.allScopes(), cycle, pageSize: config.pageSize }));
    if (scope) {
      ctx.setStep(`cycle ${cycle}: write into the damaged scope`);
      const probe = await probeInsert({ client: ctx.client(), spec: config.workload, state: ctx.workloadState, ledger: ctx.ledger, history, cycle, ...scope });
      if (probe.outcome.kind === 'error') writeErrors.push(`${probe.outcome.code}: ${probe.outcome.message}`);
    }
    ctx.setStep(`cycle ${cycle}: checks on damaged data`);
    checks.push(await checkAcknowledgedWrites({ client: ctx.client(), ledger: ctx.ledger, scopes: ctx.allScopes(), cycle, pageSize: config.pageSize }));
  }
  const allLogLines = [...(await tailFile(ctx.server().stdoutPath, 4000)), ...(await tailFile(ctx.server().stderrPath, 100))];
  // The read-path targets log at trace/debug; a refusal or panic is said at info and above.
  const logLines = allLogLines.filter((line) => !isVerboseLogLine(line));
  const damagedDir = dirname(applied.path);
  // How a server may name the damage: the file, its folder, or the table (KalamDB writes ns:table ids).
  const [, namespace, table] = applied.path.split('/');
  const names = [basename(applied.path), damagedDir, join(ctx.dataDir, applied.path), `${namespace}.${table}`, `${namespace}:${table}`];
  const violations = checks.flatMap((check) => check.violations);
  const damagedScope = damagedScopeOf(applied.path, corruption.file);
  const readPaths = damagedScope
    ? extractReadPaths({ logLines: allLogLines, errors: [...writeErrors, ...violations.flatMap((violation) => (violation.kind === 'unreadable' ? [violation.error] : []))], scope: damagedScope })
    : [];
  const classified = classifyRecovery({ start, logLines, violations, writeErrors, names });
  const judged = {
    ...classified,
    evidence: [...classified.evidence, ...readPaths.map((path) => `read path ${path.path}: ${path.line}`)],
    damageRead: classified.damageRead || readPaths.some((path) => path.readsFile),
  };
  const accepted = nemesis.accept.includes(judged.outcome);
  history.record({ type: 'recovery-outcome', cycle, outcome: judged.outcome, accepted, damageRead: judged.damageRead, evidence: judged.evidence, readPaths, ...(cacheEviction ? { cacheEviction } : {}) });
  const outcomeCheck: CheckResult = {
    check: 'recovery-outcome',
    cycle,
    ok: accepted && judged.damageRead,
    violations: [
      ...(accepted ? [] : [{ kind: 'recovery-outcome' as const, outcome: judged.outcome, accepted: [...nemesis.accept], corruption: describeCorruption(corruption), path: applied.path, evidence: judged.evidence }]),
      ...(accepted && !judged.damageRead ? [{ kind: 'corruption-unread' as const, corruption: describeCorruption(corruption), path: applied.path }] : []),
    ],
  };
  const results = [outcomeCheck];
  let restored: { ok: boolean } | undefined;
  if (judged.outcome !== 'rebuilt') {
    ctx.setStep(`cycle ${cycle}: restore the original and restart`);
    if (!ctx.server().hasExited()) await ctx.stopServer();
    await undoCorruption(applied, ctx.dataDir, ctx.runDir);
    // The cache may now hold what the server made of the damage: evict it so the original is read.
    if (evictionPath) await evictManifestCacheEntry(ctx.dataDir, evictionPath);
    readyMs = await ctx.startIncarnation();
    const again = await ctx.runChecks(cycle, before);
    restored = { ok: again.every((check) => check.ok) };
    results.push(...again);
  } else {
    results.push(...(await ctx.runChecks(cycle, before)));
  }
  history.record({ type: 'check', cycle, check: outcomeCheck.check, ok: outcomeCheck.ok, violations: outcomeCheck.violations });
  const result: CycleResult = {
    cycle,
    trigger,
    fault: { signal: nemesis.stop === 'kill' ? 'SIGKILL' : 'SIGTERM', acksThisCycle: acks.value(), inFlight: 0, atMs, delivered: true },
    rows,
    corruption: {
      applied,
      stop: nemesis.stop,
      outcome: judged.outcome,
      accepted,
      damageRead: judged.damageRead,
      evidence: judged.evidence,
      readPaths,
      ...(cacheEviction ? { cacheEviction } : {}),
      ...(restored ? { restored } : {}),
    },
    ...(readyMs !== undefined ? { restart: { incarnation: ctx.incarnation(), readyMs } } : {}),
    checks: results,
  };
  return { result, violations: outcomeCheck.violations.map((violation) => ({ cycle, check: outcomeCheck.check, violation })) };
}

/** The workload table and partition a cold-tier path (storage/<ns>/<table>[/<user>]/file) belongs to. */
export function scopeOfStoragePath(workload: InsertWorkloadSpec, path: string): { table: TableSpec; partition: string | null } | undefined {
  const [root, namespace, tableName, maybeUser] = path.split('/');
  const table = workload.tables.find((candidate) => candidate.name === tableName);
  if (root !== 'storage' || namespace !== workload.namespace || !table) return undefined;
  if (table.type !== 'USER') return { table, partition: null };
  return maybeUser && workload.users.includes(maybeUser) ? { table, partition: maybeUser } : undefined;
}

/**
 * The manifest.json whose cache entry a kalamdb target must lose for the damage to be read: the
 * damaged manifest itself, or the manifest of an orphan's folder (only a directory scan reads an
 * orphan). Other parquet damage is met through the cached manifest, which names the file.
 */
function cacheEvictionPath(config: CorruptionCycleContext['config'], path: string, corruption: CorruptNemesis['corruptions'][number]): string | undefined {
  if (config.target.kind !== 'kalamdb') return undefined;
  if (corruption.file === 'manifest') return path;
  return corruption.kind === 'orphan' ? join(dirname(path), 'manifest.json') : undefined;
}
