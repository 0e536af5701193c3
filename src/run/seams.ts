/**
 * The seams of a campaign: a Workload sends traffic, a Nemesis brings faults, a Checker observes
 * and judges. The campaign (run/campaign.ts) only sequences a cycle through these interfaces;
 * each fault, checker and workload is one folder and one registry line.
 *
 *   scenario → run (workload + nemeses + probes) → history → judges → report
 *
 * Probes and nemeses act on the live server and only record events; judges are pure folds over
 * the history, so `kalam-chaos check RUN_DIR` recomputes every verdict from history.ndjson.
 */
import type { SqlClient } from '../client/sql-client.js';
import type { LaunchPlan, Target } from '../target/types.js';
import type { ServerExit, ServerProcess } from '../target/supervisor.js';
import type { Random } from '../util/random.js';
import type { EventOf, HistoryEvent } from '../vocabulary/events.js';
import type { FaultSpec, KillTrigger } from '../vocabulary/faults.js';
import type { CheckName, InsertWorkloadSpec, ScenarioDefinition, TableSpec, WorkloadName } from '../vocabulary/scenario.js';
import type { CoverageGap, Scope, Violation } from '../vocabulary/violations.js';
import type { RunFacts } from '../history/run-facts.js';
import type { TargetSpec } from '../target/index.js';

export interface CampaignTimeouts {
  /** Until a started server answers health and SELECT 1. */
  readonly readyMs: number;
  /** Until a cycle's fault must have fired. */
  readonly cycleMs: number;
  /** One SQL request. */
  readonly requestMs: number;
  /** Until a signalled server has exited. */
  readonly exitMs: number;
}

/** Everything a campaign needs, resolved from the scenario and the command line. */
export interface CampaignConfig {
  readonly scenario: ScenarioDefinition;
  readonly seed: number;
  readonly cycles: number;
  readonly workload: InsertWorkloadSpec;
  /** The faults composed for this run, in order (the scenario's, with the command line applied). */
  readonly faults: readonly FaultSpec[];
  readonly target: TargetSpec;
  readonly outDir: string;
  readonly timeouts: CampaignTimeouts;
  /** Rows per SELECT page when reading a table back: at most the server's max_query_limit. */
  readonly pageSize: number;
  /** system.tables / system.namespaces columns that may legitimately change across a restart. */
  readonly volatileColumns: readonly string[];
  readonly sampleIntervalMs: number;
  /** tar.gz of the data directory at each crash, before the restart; skipped above the cap. */
  readonly snapshots?: { readonly capBytes: number };
  /** A data directory outside the run folder (default: the run folder's data/). */
  readonly dataDir?: { readonly path: string; readonly userOwnsIt: boolean };
  /** flush-stuck: how long a flush asked after a restart may take to complete (default 30 s). */
  readonly flushDeadlineMs?: number;
  /** A cycle with fewer acknowledged writes tested too little (default 1). */
  readonly minAcks: number;
  /** A run whose flush kills missed their phase in more than this share of cycles is inconclusive. */
  readonly maxMissedPhaseShare: number;
}

/** What the campaign offers the parts it runs: the live server, the history, the step being run. */
export interface CampaignContext {
  readonly config: CampaignConfig;
  readonly signal: AbortSignal | undefined;
  readonly runDir: string;
  /** The data directory as the server sees it (under power cuts: the lossfs mount). */
  readonly dataDir: string;
  /** Where the data directory's bytes live (the mount's backing folder, or dataDir itself). */
  readonly backingDataDir: string;
  readonly target: Target;
  readonly workload: Workload;
  /** What the history says so far, folded as events are recorded. */
  readonly facts: RunFacts;
  record(event: HistoryEvent): void;
  elapsedMs(): number;
  setStep(step: string): void;
  client(): SqlClient;
  server(): ServerProcess;
  incarnation(): number;
  /** Epoch ms when the current incarnation became ready. */
  readyAtEpochMs(): number;
  /** Starts the next incarnation on the same data directory; `forCycle` is the cycle it will serve. */
  startIncarnation(forCycle: number | undefined): Promise<number>;
  /** SIGTERM (after closing the client's connections), SIGKILL after the grace period. */
  stopServer(): Promise<ServerExit>;
  /** STORAGE FLUSH TABLE, waited on until its job completes. */
  flushTable(table: TableSpec, cycle: number): Promise<void>;
  /** Checker probes of one moment (e.g. the damaged-data reads of a corruption cycle use 'after-restart'). */
  runProbes(moment: ProbeMoment, cycle: number): Promise<void>;
}

/** One cycle's traffic, running until stopped. */
export interface Traffic {
  /** Writers finish the request they are in and send no more. */
  stop(): void;
  /** Resolves when every writer has finished; never rejects. */
  readonly finished: Promise<void>;
  inFlight(): number;
  /** Requests acknowledged this cycle: a count, and waiters resolved the moment it reaches theirs. */
  readonly acks: { value(): number; reached(count: number): Promise<void> };
}

export interface Workload {
  readonly kind: string;
  /** DDL run once before the first cycle. */
  schema(): string[];
  readonly namespace: string;
  readonly tables: readonly TableSpec[];
  /** Every scope the workload may write, so a phantom in an unwritten scope is found too. */
  scopes(): Scope[];
  scopesOf(table: TableSpec): Scope[];
  qualifiedName(table: TableSpec): string;
  /** Starts the cycle's writers; every request and response goes to the history. */
  start(ctx: CampaignContext, cycle: number): Traffic;
  /** One write into one scope, recorded like any other; answers the server's error, if any. */
  probe(ctx: CampaignContext, cycle: number, scope: Scope): Promise<{ error?: string }>;
  /** Reads every scope back and records what came back as read-back events. */
  readBack(ctx: CampaignContext, cycle: number, purpose: 'check' | 'damaged'): Promise<EventOf<'read-back'>[]>;
}

/** Request ids, unique across every workload of a run. */
export interface RequestIds {
  next(): number;
}

/** What a workload is given: the run's shape, its own tables, the run's request ids. */
export interface WorkloadEnv {
  readonly spec: InsertWorkloadSpec;
  readonly seed: number;
  /** The tables this workload owns (spec.tables where `workload` names it). */
  readonly tables: readonly TableSpec[];
  readonly requestIds: RequestIds;
  /** Concurrent clients of this workload. */
  readonly processes: number;
}

/** A registered workload: its tables, its traffic, and the checker of its invariant. */
export interface WorkloadDefinition {
  readonly name: WorkloadName;
  readonly summary: string;
  /** Its checker's invariant in one sentence (the README lists them). */
  readonly invariant: string;
  /** The tables it writes in the run's namespace, given the scenario's (append keeps those). */
  tables(scenarioTables: readonly TableSpec[]): TableSpec[];
  /** Concurrent clients out of the run's --writers. */
  processes(writers: number): number;
  create(env: WorkloadEnv): Workload;
  /** The checker of its invariant, a pure fold of the history; run whenever the workload is. */
  readonly checker?: CheckerDefinition;
}

/** What a crash fault did to the server this cycle. */
export interface CrashReport {
  /** False when the server had exited by itself before the fault. */
  readonly delivered: boolean;
  readonly signal: string;
  readonly inFlight: number;
  readonly description: string;
  /** ms since the history opened when the fault was delivered. */
  readonly atMs: number;
  /** Why the cycle's traffic ended first, when not by the fault's trigger. */
  readonly endedBy?: 'server-exit' | 'writers-finished' | 'deadline';
}

/** One fault of a campaign. Hooks are optional: a fault implements the moments it acts in. */
export interface Nemesis {
  readonly kind: FaultSpec['kind'];
  /** The crash fault's seeded moment for each cycle (one fault of a campaign brings the server down). */
  readonly schedule?: readonly KillTrigger[];
  /** Before the run folder exists: throws a TargetSetupError when this machine cannot deliver the fault. */
  readonly prepare?: () => Promise<void>;
  /** The data directory the server must be given instead of the run's (a mount over it). */
  readonly serverDataDir?: (runDir: string, backing: string) => string;
  /** Adjusts how an incarnation is launched (a FUSE mount under it, strace around it). */
  readonly launch?: (ctx: CampaignContext, plan: LaunchPlan, incarnation: { readonly index: number; readonly dir: string; readonly forCycle: number | undefined }) => Promise<LaunchPlan>;
  /** Before the schema is created: statements the schema needs first (an older release's users for USER tables). */
  readonly beforeSchema?: (ctx: CampaignContext) => Promise<void>;
  /** Once the schema exists, before cycle 1. */
  readonly setup?: (ctx: CampaignContext) => Promise<void>;
  /** Before the cycle's traffic starts. */
  readonly beforeCycle?: (ctx: CampaignContext, cycle: number) => Promise<void>;
  /** Brings the server down during the cycle's traffic and returns once it is down (crash faults only). */
  readonly crash?: (ctx: CampaignContext, cycle: number, traffic: Traffic) => Promise<CrashReport>;
  /** After the server is down and the writers settled, before the restart (power cut, damage); may say what it did. */
  readonly afterCrash?: (ctx: CampaignContext, cycle: number) => Promise<string | void>;
  /**
   * Takes over the restart: brings the server back on damaged data, records how it came back and
   * leaves a ready server for the checks. Returns false when the run cannot go on.
   */
  readonly restart?: (ctx: CampaignContext, cycle: number) => Promise<boolean>;
  /** After the restart and the checks' probes (classifying where a kill landed, say). */
  readonly afterRestart?: (ctx: CampaignContext, cycle: number) => Promise<void>;
  /** Whatever happened: releases what the fault holds (mounts). Never throws. */
  readonly close?: () => Promise<void>;
}

/** A command-line option a fault owns: `--phase <phase>` belongs to flush-kill and to nothing else. */
export interface FaultOption {
  readonly flags: string;
  readonly description: string;
  /** The commander attribute name (camelCase of the long flag). */
  readonly key: string;
}

export interface NemesisDefinition<S extends FaultSpec = FaultSpec> {
  readonly kind: S['kind'];
  readonly summary: string;
  readonly options: readonly FaultOption[];
  /** Whether this fault brings the server down (exactly one per campaign does). */
  readonly crashes: boolean;
  /** Applies this fault's options to the scenario's spec of it; a UsageError on bad input. */
  parse(spec: S, flags: Readonly<Record<string, unknown>>): S;
  create(spec: S, env: { readonly config: CampaignConfig; readonly random: Random }): Nemesis;
}

/** When probes observe: before the fault, on the crashed disk, after the restart, after the last stop. */
export type ProbeMoment = 'before-fault' | 'after-crash' | 'after-restart' | 'end';

/** A checker's verdict on one cycle (or on the run's end, in its last cycle). */
export interface JudgeOutput {
  readonly check: string;
  readonly cycle: number;
  readonly violations: readonly Violation[];
  readonly gaps?: readonly CoverageGap[];
  readonly stats?: Record<string, number>;
}

/** A pure fold over the history: the same events give the same outputs, live or from history.ndjson. */
export interface Judge {
  observe(event: HistoryEvent): readonly JudgeOutput[];
  /** After the last event. */
  finish(): readonly JudgeOutput[];
}

/** The run as every judge first sees it (from the run-start event). */
export interface RunStart {
  readonly event: EventOf<'run-start'>;
  readonly parameters: RunParameters;
}

/** result.json's parameters and the run-start event's options: what a judge may depend on. */
export interface RunParameters {
  readonly cycles: number;
  readonly workload: InsertWorkloadSpec;
  readonly faults: readonly FaultSpec[];
  readonly checks: readonly CheckName[];
  readonly minAcks: number;
  readonly maxMissedPhaseShare: number;
  readonly flushDeadlineMs?: number;
  readonly timeouts: CampaignTimeouts;
  readonly pageSize: number;
  readonly volatileColumns: readonly string[];
}

export interface CheckerDefinition {
  /** A registered checker's name, or the workload's whose invariant it holds. */
  readonly name: CheckName | 'coverage' | WorkloadName;
  readonly summary: string;
  /** Online observations the judge needs; they only record events. */
  readonly probes?: () => Partial<Record<ProbeMoment, (ctx: CampaignContext, cycle: number) => Promise<void>>>;
  judge(run: RunStart): Judge;
}
