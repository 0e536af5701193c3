import { seededRandom, type Random } from '../../util/random.js';

export type DdlOperation = 'create-table' | 'alter-table' | 'drop-table' | 'create-user' | 'drop-user';

/** One DDL statement as the generator plans it; `value` names its object, the SQL is never recorded. */
export interface PlannedDdl {
  readonly f: DdlOperation;
  /** The table (t3), the column (t3.c7) or the user it makes or drops. */
  readonly value: string;
  readonly sql: string;
  /** Workload pacing before the statement is sent, so a kill often lands right after a DDL's acknowledgement. */
  readonly pauseMs: number;
}

export interface DdlPlanner {
  next(): PlannedDdl;
}

const WEIGHTS: readonly (readonly [DdlOperation, number])[] = [
  ['create-table', 30],
  ['alter-table', 30],
  ['drop-table', 8],
  ['create-user', 4],
  ['drop-user', 3],
];

/** A user name of the ddl workload: prefixed by the run's namespace, so the read-back knows its own. */
export function userPrefix(namespace: string): string {
  return `${namespace}_u`;
}

/**
 * A deterministic sequence of DDL: the same seed gives the same statements whatever the server
 * answered. ALTER and DROP pick among the objects planned and not yet planned dropped (one that
 * failed to be made makes its ALTER fail, which the checker judges like any failed DDL). Names are
 * never reused.
 */
export function createDdlPlanner(namespace: string, seed: number): DdlPlanner {
  const random: Random = seededRandom(seed).fork('ddl');
  let tables = 0;
  let columns = 0;
  let users = 0;
  const liveTables: string[] = [];
  const liveUsers: string[] = [];

  const choose = (): DdlOperation => {
    const allowed = WEIGHTS.filter(([f]) => (f === 'alter-table' || f === 'drop-table' ? liveTables.length > 0 : f === 'drop-user' ? liveUsers.length > 0 : true));
    let roll = random.int(1, allowed.reduce((sum, [, weight]) => sum + weight, 0));
    for (const [f, weight] of allowed) {
      roll -= weight;
      if (roll <= 0) return f;
    }
    return 'create-table';
  };
  const take = (names: string[]): string => names.splice(random.int(0, names.length - 1), 1)[0]!;

  return {
    next() {
      const pauseMs = random.int(0, 100);
      const f = choose();
      switch (f) {
        case 'create-table': {
          const table = `t${++tables}`;
          liveTables.push(table);
          return { f, value: table, pauseMs, sql: `CREATE TABLE ${namespace}.${table} (id BIGINT PRIMARY KEY, payload TEXT) WITH (TYPE = 'SHARED')` };
        }
        case 'alter-table': {
          const table = random.pick(liveTables);
          const column = `c${++columns}`;
          return { f, value: `${table}.${column}`, pauseMs, sql: `ALTER TABLE ${namespace}.${table} ADD COLUMN ${column} TEXT` };
        }
        case 'drop-table': {
          const table = take(liveTables);
          return { f, value: table, pauseMs, sql: `DROP TABLE ${namespace}.${table}` };
        }
        case 'create-user': {
          const user = `${userPrefix(namespace)}${++users}`;
          liveUsers.push(user);
          const password = `Pw${random.int(0, 2 ** 30).toString(36)}${random.int(0, 2 ** 30).toString(36)}!`;
          return { f, value: user, pauseMs, sql: `CREATE USER ${user} WITH PASSWORD '${password}' ROLE user` };
        }
        case 'drop-user': {
          const user = take(liveUsers);
          return { f, value: user, pauseMs, sql: `DROP USER ${user}` };
        }
      }
    },
  };
}
