import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../../client/sql-client.js';
import type { CampaignContext, Workload, WorkloadDefinition, WorkloadEnv } from '../../run/seams.js';
import { seededRandom, type Random } from '../../util/random.js';
import type { TableSpec } from '../../vocabulary/scenario.js';
import { sendOperation, startProcesses, type PlannedOperation } from '../operations.js';
import { readRows, recordScopeReads } from '../read-rows.js';
import { scopesOfTable } from '../scopes.js';
import { subscribersChecker } from './check.js';
import { createSubscriberPool } from './subscriber-pool.js';

export const LIVE_TABLE = 'live_rows';

/**
 * One writer per user inserts, updates and deletes rows of its USER table partition while that
 * user's WebSocket subscriber watches them; after every restart each subscriber resumes with
 * from_seq_id before its writer sends again.
 */
export const subscribers: WorkloadDefinition = {
  name: 'subscribers',
  summary: 'per user: a live query over WebSocket on its USER table partition while a writer inserts, updates and deletes; resumed with from_seq_id after every restart',
  invariant:
    'every acknowledged change after a subscriber\u2019s cursor arrives once, in _seq order; nothing unacknowledged arrives; initial data equals a SELECT at that point; system.live holds nothing of a dead connection after a restart',
  tables: () => [{ name: LIVE_TABLE, type: 'USER' }],
  processes: () => 1,
  create: createSubscribersWorkload,
  checker: subscribersChecker,
};

interface UserPlan {
  readonly user: string;
  readonly random: Random;
  nextId: number;
  /** Keys whose last write was acknowledged and left them present. */
  readonly live: number[];
}

function createSubscribersWorkload(env: WorkloadEnv): Workload {
  const { spec } = env;
  const table: TableSpec = env.tables[0] ?? { name: LIVE_TABLE, type: 'USER', workload: 'subscribers' };
  const qualified = `${spec.namespace}.${table.name}`;
  const users = spec.users;
  // Never recorded: the history holds no secret.
  const password = randomBytes(12).toString('hex');
  const pool = createSubscriberPool(qualified, password);
  const root = seededRandom(env.seed).fork('subscribers');
  const plans: UserPlan[] = users.map((user) => ({ user, random: root.fork(user), nextId: 1, live: [] }));
  const scopesOf = (owned: TableSpec) => scopesOfTable(spec, owned);

  const plan = (state: UserPlan): PlannedOperation => {
    const roll = state.random.next();
    const base = { table: qualified, partition: state.user };
    if (state.live.length < 3 || roll < 0.5) {
      const id = state.nextId++;
      return { ...base, op: { workload: 'subscribers', f: 'insert', keys: [id] }, sql: (tag) => `INSERT INTO ${qualified} (id, payload) VALUES (${id}, '${tag}')` };
    }
    const id = state.live[Math.floor(state.random.next() * state.live.length)]!;
    if (roll < 0.8) return { ...base, op: { workload: 'subscribers', f: 'update', keys: [id] }, sql: (tag) => `UPDATE ${qualified} SET payload = '${tag}' WHERE id = ${id}` };
    return { ...base, op: { workload: 'subscribers', f: 'delete', keys: [id] }, sql: `DELETE FROM ${qualified} WHERE id = ${id}` };
  };

  const settle = (state: UserPlan, planned: PlannedOperation, acknowledged: boolean) => {
    const id = planned.op.keys![0]!;
    const at = state.live.indexOf(id);
    if (at >= 0) state.live.splice(at, 1);
    // A key whose last write is unknown is left alone from then on.
    if (acknowledged && planned.op.f !== 'delete') state.live.push(id);
  };

  return {
    kind: 'subscribers',
    namespace: spec.namespace,
    tables: [table],
    schema: () => [
      `CREATE TABLE ${qualified} (id BIGINT PRIMARY KEY, payload TEXT NOT NULL) WITH (TYPE = 'USER')`,
      ...users.map((user) => `CREATE USER ${user} WITH PASSWORD '${password}' ROLE user`),
    ],
    scopes: () => scopesOf(table),
    scopesOf,
    qualifiedName: (owned) => `${spec.namespace}.${owned.name}`,
    start(ctx: CampaignContext, cycle: number) {
      const subscribed = new Set<number>();
      return startProcesses({
        ctx: { client: ctx.client(), record: (event) => ctx.record(event), cycle, requestIds: env.requestIds },
        processes: plans.length,
        async next(process) {
          const state = plans[process]!;
          if (!subscribed.has(process)) {
            subscribed.add(process);
            await pool.ensure(ctx, cycle, state.user);
          }
          return plan(state);
        },
        settled: (process, planned, sent) => settle(plans[process]!, planned, sent.settled === 'acknowledged'),
      });
    },
    async probe(ctx, cycle, scope) {
      const state = plans.find((candidate) => candidate.user === scope.partition) ?? plans[0]!;
      const id = state.nextId++;
      const client: SqlClient = ctx.client();
      const sent = await sendOperation({ client, record: (event) => ctx.record(event), cycle, requestIds: env.requestIds }, plans.length, {
        table: qualified,
        partition: state.user,
        op: { workload: 'subscribers', f: 'insert', keys: [id] },
        sql: (tag) => `INSERT INTO ${qualified} (id, payload) VALUES (${id}, '${tag}')`,
      });
      return sent.outcome.kind === 'error' ? { error: `${sent.outcome.code}: ${sent.outcome.message}` } : {};
    },
    readBack: (ctx, cycle, purpose) =>
      recordScopeReads(ctx, { cycle, purpose, workload: 'subscribers' }, scopesOf(table), async (scope) => {
        const read = await readRows(ctx.client(), scope, ['id', 'payload'], ctx.config.pageSize);
        return { ids: read.rows.map((row) => Number(row[0])), countStar: read.countStar, columns: read.columns, rows: read.rows };
      }),
  };
}
