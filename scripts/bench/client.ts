/**
 * The workload client against autocannon, on the same endpoint of a reference server at the same
 * concurrency: acknowledged requests per second of each, and the CPU this process spends per
 * request. Both send the append workload's INSERTs (the same seeded planner, bearer auth); the client records them as a campaign does (history.ndjson, the run
 * facts and the live verdict), autocannon records nothing. Each run gets a fresh server and data
 * directory; rounds alternate which tool goes first, since the machine is shared, after one
 * untimed warm-up run of each.
 *
 * Environment: BENCH_CLIENT_SECONDS (per run, default 5), BENCH_CLIENT_ROUNDS (default 3),
 * BENCH_CLIENT_CONNECTIONS (default 4,16).
 */
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';
import { SCENARIOS } from '../../chaos/index.js';
import { buildCampaignConfig } from '../../src/cli/options.js';
import { executeAsUser } from '../../src/client/sql-client.js';
import { openHistory } from '../../src/history/history.js';
import { DEFECTS } from '../../src/reference-server/defects.js';
import { campaignParameters } from '../../src/run/campaign.js';
import { createLiveContext, type LiveContext } from '../../src/run/live-context.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { createLiveVerdict, type LiveVerdict } from '../../src/run/verdict.js';
import { generateCredentials } from '../../src/target/credentials.js';
import { createTarget } from '../../src/target/index.js';
import type { Credentials } from '../../src/target/types.js';
import type { HistoryEvent } from '../../src/vocabulary/events.js';
import { append } from '../../src/workload/append/index.js';
import { initialWorkloadState, nextRequest } from '../../src/workload/insert-workload.js';
import { createMix } from '../../src/workload/mix.js';
import fs from 'fs-extra';

const seconds = Number(process.env.BENCH_CLIENT_SECONDS ?? 5);
/** An untimed run of each tool first, so neither pays its JIT warm-up in a timed one. */
const WARM_UP_SECONDS = 2;
const rounds = Number(process.env.BENCH_CLIENT_ROUNDS ?? 3);
const concurrencies = (process.env.BENCH_CLIENT_CONNECTIONS ?? '4,16').split(',').map(Number);

export const CLIENT_TARGET = 'client acks/s ≥ 0.9x autocannon at the same concurrency (autocannon run by the bench on the same endpoint)';

export interface ToolMeasurement {
  readonly acks: number;
  readonly requests: number;
  readonly seconds: number;
  /** User + system CPU of this process over the run, in microseconds. */
  readonly cpuMicros: number;
}

type Tool = 'autocannon' | 'client';

interface BenchServer {
  readonly ctx: LiveContext;
  /** Response events recorded so far. */
  responses(): number;
}

/** A campaign's live context on a fresh reference server with the append schema: what a run of kill-mid-insert has before its first cycle. */
async function withServer<T>(out: string, seed: string, connections: number, use: (server: BenchServer) => Promise<T>): Promise<T> {
  const scenario = SCENARIOS.find((candidate) => candidate.name === 'kill-mid-insert')!;
  const config = buildCampaignConfig(scenario, { target: 'reference', auth: 'bearer', out, seed, workload: 'append', writers: String(connections) }, Object.keys(DEFECTS));
  const folder = await createRunFolder(out, 'bench-client', config.seed);
  const history = openHistory(folder.historyPath);
  let verdict: LiveVerdict | undefined;
  let responses = 0;
  const onEvent = (event: HistoryEvent): void => {
    if (event.type === 'run-start') verdict = createLiveVerdict(event);
    verdict?.observe(event);
    if (event.type === 'response') responses++;
  };
  const target = createTarget(config.target, folder.dataDir, generateCredentials());
  const workload = createMix(config.workload, config.seed);
  const ctx = createLiveContext({ config, signal: undefined, folder, dataDir: folder.dataDir, target, workload, nemeses: [], history, onEvent, onReady: () => {}, probes: async () => {} });
  try {
    ctx.record({ type: 'run-start', scenario: scenario.name, seed: config.seed, options: campaignParameters(config), target: target.describe(), startedAt: new Date().toISOString() });
    await ctx.startIncarnation(1);
    for (const statement of workload.schema()) await ctx.client().query(statement);
    return await use({ ctx, responses: () => responses });
  } finally {
    await ctx.shutdown();
    await history.close();
    await fs.remove(folder.root);
  }
}

/** The workload's own writers, one per connection, for `seconds`. */
async function runClient(server: BenchServer, seconds: number): Promise<ToolMeasurement> {
  const { ctx } = server;
  const responsesBefore = server.responses();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const traffic = ctx.workload.start(ctx, 1);
  await delay(seconds * 1000);
  traffic.stop();
  await traffic.finished;
  const used = process.cpuUsage(cpu);
  return { acks: traffic.acks.value(), requests: server.responses() - responsesBefore, seconds: (performance.now() - started) / 1000, cpuMicros: used.user + used.system };
}

async function bearerToken(baseUrl: string, credentials: Credentials): Promise<string> {
  const pool = new Pool(baseUrl, { connections: 1 });
  try {
    const response = await pool.request({ method: 'POST', path: '/v1/api/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: credentials.user, password: credentials.password }) });
    const body = (await response.body.json()) as { access_token?: unknown };
    if (response.statusCode !== 200 || typeof body.access_token !== 'string') throw new Error(`bench: login to ${baseUrl} answered HTTP ${response.statusCode}`);
    return body.access_token;
  } finally {
    await pool.destroy();
  }
}

/** autocannon sending the same INSERTs, from the workload's planner; an ack is a 200 with status success. */
async function runAutocannon(server: BenchServer, connections: number, seconds: number): Promise<ToolMeasurement> {
  const { ctx } = server;
  const baseUrl = ctx.client().baseUrl;
  const token = await bearerToken(baseUrl, ctx.target.credentials);
  // autocannon's context lasts one request, not one connection: one writer's sequence, shared by
  // every connection, keeps the ids distinct.
  const spec = { ...ctx.config.workload, tables: append.tables(ctx.config.workload.tables), writers: 1 };
  const state = initialWorkloadState(spec, ctx.config.seed);
  let acks = 0;
  let requests = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/api/sql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        setupRequest: (request) => {
          const planned = nextRequest(spec, state, 0);
          return { ...request, body: JSON.stringify({ sql: planned.partition ? executeAsUser(planned.partition, planned.sql) : planned.sql }) };
        },
        onResponse: (status, body) => {
          requests++;
          if (status === 200 && body.includes('"status":"success"')) acks++;
        },
      },
    ],
  });
  const used = process.cpuUsage(cpu);
  return { acks, requests, seconds: (performance.now() - started) / 1000, cpuMicros: used.user + used.system };
}

export async function measureTool(tool: Tool, out: string, seed: string, connections: number, forSeconds = seconds): Promise<ToolMeasurement> {
  (globalThis as { gc?: () => void }).gc?.();
  return withServer(out, seed, connections, (server) => (tool === 'client' ? runClient(server, forSeconds) : runAutocannon(server, connections, forSeconds)));
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const perSecond = (m: ToolMeasurement) => m.acks / m.seconds;
const cpuPerRequest = (m: ToolMeasurement) => m.cpuMicros / Math.max(1, m.requests);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function clientVersusAutocannon(out: string, seed: string): Promise<void> {
  console.log(`\nWorkload client vs autocannon: append INSERTs to one reference server, ${seconds} s per run, ${rounds} rounds back to back (the machine is shared: compare within a round)`);
  console.log(`target: ${CLIENT_TARGET}`);
  for (const tool of ['autocannon', 'client'] as const) await measureTool(tool, out, seed, concurrencies[0]!, WARM_UP_SECONDS);
  console.log('connections  round  load   autocannon acks/s  µs CPU/req   client acks/s  µs CPU/req   acks ratio  CPU/req ratio');
  for (const connections of concurrencies) {
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const load = loadavg()[0]!;
      const order: Tool[] = round % 2 ? ['autocannon', 'client'] : ['client', 'autocannon'];
      const measured = new Map<Tool, ToolMeasurement>();
      for (const tool of order) measured.set(tool, await measureTool(tool, out, seed, connections));
      const cannon = measured.get('autocannon')!;
      const client = measured.get('client')!;
      const ratio = perSecond(client) / perSecond(cannon);
      const cpuRatio = cpuPerRequest(client) / cpuPerRequest(cannon);
      ratios.push(ratio);
      cpuRatios.push(cpuRatio);
      console.log(
        `${String(connections).padStart(11)}${String(round).padStart(7)}${fmt(load, 2).padStart(6)}${fmt(perSecond(cannon)).padStart(19)}${fmt(cpuPerRequest(cannon)).padStart(12)}` +
          `${fmt(perSecond(client)).padStart(16)}${fmt(cpuPerRequest(client)).padStart(12)}${fmt(ratio, 2).padStart(13)}x${fmt(cpuRatio, 2).padStart(14)}x`,
      );
    }
    const verdict = median(ratios) >= 0.9 ? 'meets' : 'misses';
    console.log(`  ${connections} connections: median client/autocannon acks/s ${fmt(median(ratios), 2)}x (${verdict} the 0.9x target), median CPU per request ${fmt(median(cpuRatios), 2)}x autocannon's`);
  }
}
