import { foldWorkload } from '../fold.js';
import type { CheckerDefinition, Judge, JudgeOutput, RunStart } from '../../run/seams.js';
import type { EventOf, RequestOutcome } from '../../vocabulary/events.js';
import type { Violation, WorkloadViolationKind } from '../../vocabulary/violations.js';
import { DDL_READ_BACK_COLUMNS } from './read-back.js';

export const DDL_CHECK = 'ddl';

/**
 * What the history says of one object (table, column, user): it must exist, must not, or may
 * (an indeterminate DDL). A read-back after a restart settles a `maybe` to what it saw, since
 * nothing can complete a request of a server that is gone.
 */
type Presence = 'yes' | 'no' | 'maybe';

interface ObjectState {
  presence: Presence;
  /** The requests that made it what it is, for the violation's detail. */
  readonly requestIds: number[];
  /** A drop of it was acknowledged (a reappearance is a lost drop, not a phantom). */
  dropped: boolean;
}

interface Pending {
  readonly f: string;
  readonly value: string;
  readonly cycle: number;
}

/** The columns every table of the workload is created with. */
const CREATED_COLUMNS = ['id', 'payload'];

export function ddlNamespace(namespace: string): string {
  return `${namespace}_ddl`;
}

/**
 * The ddl invariant as a pure fold: after every restart each acknowledged DDL is there (tables
 * with every acknowledged column, users), acknowledged drops stay dropped, failed DDL changed
 * nothing, an indeterminate DDL is whole or absent, and nothing exists that no DDL made.
 */
export function judgeDdl(run: RunStart): Judge {
  const namespace = ddlNamespace(run.parameters.workload.namespace);
  const pending = new Map<number, Pending>();
  const objects = new Map<string, ObjectState>();
  const open = new Map<number, { violations: Violation[]; stats: Record<string, number> }>();
  const judged = (cycle: number) => {
    let entry = open.get(cycle);
    if (!entry) {
      entry = { violations: [], stats: { ddlAcknowledged: 0, ddlFailed: 0, ddlIndeterminate: 0, readBacks: 0, objectsChecked: 0 } };
      open.set(cycle, entry);
    }
    return entry;
  };
  const objectOf = (key: string): ObjectState => {
    let state = objects.get(key);
    if (!state) {
      state = { presence: 'no', requestIds: [], dropped: false };
      objects.set(key, state);
    }
    return state;
  };

  function settle(requestId: number, outcome: RequestOutcome): void {
    const request = pending.get(requestId);
    if (!request) return;
    pending.delete(requestId);
    const stats = judged(request.cycle).stats;
    stats[outcome === 'acknowledged' ? 'ddlAcknowledged' : outcome === 'failed' ? 'ddlFailed' : 'ddlIndeterminate']! += 1;
    const makes = request.f.startsWith('create') || request.f === 'alter-table';
    const object = objectOf(objectKey(request.f, request.value));
    object.requestIds.push(requestId);
    if (outcome === 'failed') return;
    if (makes) {
      object.presence = outcome === 'acknowledged' ? 'yes' : object.presence === 'yes' ? 'yes' : 'maybe';
      // A column acknowledged on a table proves the table is there.
      if (request.f === 'alter-table' && outcome === 'acknowledged') {
        const table = objectOf(`table:${request.value.split('.')[0]}`);
        if (table.presence === 'maybe') table.presence = 'yes';
      }
    } else {
      if (outcome === 'acknowledged') {
        object.presence = 'no';
        object.dropped = true;
      } else if (object.presence === 'yes') object.presence = 'maybe';
    }
  }

  function judgeReadBack(event: EventOf<'read-back'>): void {
    const entry = judged(event.cycle);
    entry.stats.readBacks! += 1;
    if (event.error !== undefined || !event.rows) return;
    const index = (name: (typeof DDL_READ_BACK_COLUMNS)[number]) => (event.columns ?? [...DDL_READ_BACK_COLUMNS]).indexOf(name);
    const seen = new Map<string, { catalog: string[]; selected: string[] | null; error: string | null }>();
    for (const row of event.rows) {
      const kind = String(row[index('kind')]);
      const name = String(row[index('name')]);
      if (kind === 'table') {
        const selected = row[index('selected_columns')];
        const error = row[index('error')];
        seen.set(`table:${name}`, { catalog: splitList(row[index('catalog_columns')]), selected: selected === null || selected === undefined ? null : splitList(selected), error: error === null || error === undefined ? null : String(error) });
      } else seen.set(`user:${name}`, { catalog: [], selected: [], error: null });
    }
    const report = (kind: WorkloadViolationKind, key: string, requestIds: readonly number[], detail: string) =>
      entry.violations.push({ kind, workload: 'ddl', table: namespace, partition: null, keys: keysOf(key), requestIds: [...requestIds].sort((a, b) => a - b).slice(0, 50), detail, count: 1 });

    const presentColumns = new Set<string>();
    for (const [key, found] of seen) {
      if (!key.startsWith('table:')) continue;
      const table = key.slice('table:'.length);
      if (found.error !== null || found.selected === null) {
        report('ddl-phantom', key, objects.get(key)?.requestIds ?? [], `table ${table} is listed in system.tables but a SELECT of it fails: ${found.error ?? 'no schema'}`);
      } else if ([...found.catalog].sort().join(',') !== [...found.selected].sort().join(',')) {
        report('ddl-phantom', key, objects.get(key)?.requestIds ?? [], `table ${table}: system.columns says ${found.catalog.join(',')} but a SELECT answers ${found.selected.join(',')}`);
      }
      const created = CREATED_COLUMNS.filter((column) => !found.catalog.includes(column));
      if (created.length > 0) report('ddl-phantom', key, objects.get(key)?.requestIds ?? [], `table ${table} lacks column(s) ${created.join(',')} of its CREATE TABLE`);
      for (const column of found.catalog) if (!CREATED_COLUMNS.includes(column)) presentColumns.add(`column:${table}.${column}`);
    }

    const judgeObject = (key: string, present: boolean) => {
      entry.stats.objectsChecked! += 1;
      const object = objects.get(key);
      const what = describeKey(key);
      if (!object) {
        if (present) report('ddl-phantom', key, [], `${what} exists though no DDL of the workload made it`);
        return;
      }
      if (object.presence === 'maybe') object.presence = present ? 'yes' : 'no';
      else if (object.presence === 'yes' && !present) report('ddl-lost', key, object.requestIds, `acknowledged ${what} is gone after the restart`);
      else if (object.presence === 'no' && present) {
        if (object.dropped) report('ddl-lost', key, object.requestIds, `${what} is back though its drop was acknowledged`);
        else report('ddl-phantom', key, object.requestIds, `${what} exists though the DDL that would make it failed`);
      }
    };

    const tablesPresent = new Set([...seen.keys()].filter((key) => key.startsWith('table:')));
    for (const key of new Set([...objects.keys(), ...seen.keys(), ...presentColumns])) {
      if (key.startsWith('column:')) {
        // A column is judged only where its table is present: a dropped table takes its columns.
        const table = `table:${key.slice('column:'.length).split('.')[0]}`;
        if (tablesPresent.has(table)) judgeObject(key, presentColumns.has(key));
      } else judgeObject(key, seen.has(key));
    }
  }

  return foldWorkload('ddl', {
    request(event) {
      if (event.op?.value !== undefined) pending.set(event.requestId, { f: event.op.f, value: event.op.value, cycle: event.cycle });
    },
    response: (event) => settle(event.requestId, event.outcome),
    writersStopped(cycle) {
      for (const [requestId, request] of [...pending]) if (request.cycle === cycle) settle(requestId, 'indeterminate');
    },
    readBack: judgeReadBack,
    cycleEnd: emit,
    finish: () => [...open.keys()].flatMap(emit),
  });

  function emit(cycle: number): JudgeOutput[] {
    const entry = judged(cycle);
    open.delete(cycle);
    return [{ check: DDL_CHECK, cycle, violations: entry.violations, stats: entry.stats }];
  }
}

function objectKey(f: string, value: string): string {
  if (f === 'create-table' || f === 'drop-table') return `table:${value}`;
  if (f === 'alter-table') return `column:${value}`;
  return `user:${value}`;
}

function describeKey(key: string): string {
  const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  return `${kind} ${name}`;
}

/** The numbers in an object's name (t3 → [3], t3.c7 → [3, 7]), as the violation's keys. */
function keysOf(key: string): number[] {
  return [...key.matchAll(/\d+/g)].map((match) => Number(match[0])).slice(-2);
}

function splitList(cell: unknown): string[] {
  return typeof cell === 'string' && cell !== '' ? cell.split(',') : [];
}

export const ddlChecker: CheckerDefinition = {
  name: 'ddl',
  summary: 'after every restart acknowledged DDL is there, acknowledged drops stay dropped, failed DDL changed nothing, indeterminate DDL is whole or absent, nothing else exists',
  judge: judgeDdl,
};
