import { randomBytes, scryptSync } from 'node:crypto';
import type { Logger } from 'pino';
import type { ColumnSpec, ColumnTypeName, SelectItem, Statement, TableRef, Value } from './sql/ast.js';
import { SqlError } from './errors.js';
import { assertColumnsExist, columnsIn, matches, sortRows, type ResultColumn, type Row } from './query.js';
import { applyRecord, tableKey, type DatabaseState, type StoredRow, type TableDefinition, type TableState, type TableType, type WalRecord } from './state.js';
import { SYSTEM_TABLES } from './system-tables.js';
import type { WriteAheadLog } from './wal.js';
import type { DefectName } from './defects.js';
import type { ColdScope } from './cold-tier.js';
import type { Flusher } from './flush.js';

/** One statement's result in KalamDB's JSON shape (`schema`/`rows` omitted when empty). */
export interface StatementResult {
  schema?: { name: string; data_type: ColumnTypeName | 'Json'; index: number; flags?: readonly string[] }[];
  rows?: Value[][];
  row_count: number;
  message?: string;
  as_user?: string;
}

export interface Session {
  /** The authenticated user. */
  readonly user: string;
  /** Namespace for unqualified table names. */
  readonly namespace: string;
}

export interface ExecutorOptions {
  readonly state: DatabaseState;
  readonly wal: WriteAheadLog;
  readonly defects: ReadonlySet<DefectName>;
  readonly ackDelayMs: number;
  readonly defaultQueryLimit: number;
  readonly maxQueryLimit: number;
  readonly log: Logger;
  /** Cold scopes per table key, then partition. */
  readonly cold: Map<string, Map<string, ColdScope>>;
  readonly flusher: Flusher;
  /** Called after an INSERT is durable, so a FLUSH_POLICY can queue a flush. */
  readonly afterInsert?: (table: TableState) => void;
  /** table-unavailable-after-restart: tables (`ns.t`) this incarnation cannot find a provider for. */
  readonly unavailableTables?: ReadonlySet<string>;
}

export interface Executor {
  execute(statement: Statement, session: Session): Promise<StatementResult>;
  /** Waits for writes the ack-before-write defect still owes the log. */
  settle(): Promise<void>;
}

const TABLE_OPTIONS = new Set(['TYPE', 'FLUSH_POLICY', 'STORAGE_ID', 'TTL_SECONDS', 'ACCESS_LEVEL']);
const SYSTEM_COLUMNS = new Set(['_seq', '_deleted']);

/** A missing table as kalamdb-server 0.4.3 reports it: an execution error from DataFusion's planner (HTTP 400). */
function tableNotFound(namespace: string, name: string): SqlError {
  return new SqlError('SQL_EXECUTION_ERROR', `Table not found: Error during planning: table 'kalam.${namespace}.${name}' not found`);
}

/** KalamDB 0.4.3 answers BigInt (Int64) values as decimal strings, so 64-bit values stay exact. */
function asJson(dataType: string, value: Value): Value {
  return dataType === 'BigInt' && typeof value === 'number' ? String(value) : value;
}

/** KalamDB's result-schema flags of a user column: a primary key is pk, nn, uq; NOT NULL is nn. */
function columnFlags(column: { readonly primaryKey: boolean; readonly nullable: boolean }): { flags?: readonly string[] } {
  if (column.primaryKey) return { flags: ['pk', 'nn', 'uq'] };
  return column.nullable ? {} : { flags: ['nn'] };
}
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function createExecutor(options: ExecutorOptions): Executor {
  const { state, wal } = options;
  /** Primary keys of INSERTs written to the log but not yet durable, per table partition. */
  const inFlightKeys = new Map<string, Set<Value>>();
  const owedWrites = new Set<Promise<void>>();

  /** ddl-not-durable: DDL applied and acknowledged, its WAL frame held back until the next commit. */
  const unwrittenDdl: WalRecord[] = [];
  const commit = (record: WalRecord) => {
    for (const held of unwrittenDdl.splice(0)) void wal.append(held).catch((error: unknown) => options.log.error({ err: error }, 'held ddl wal write failed'));
    return wal.append(record, () => applyRecord(state, record));
  };
  /** CREATE TABLE and ALTER TABLE: durable before acknowledged, unless the ddl-not-durable defect holds them back. */
  const commitDdl = (record: WalRecord): Promise<void> => {
    if (!options.defects.has('ddl-not-durable')) return commit(record);
    applyRecord(state, record);
    unwrittenDdl.push(record);
    return Promise.resolve();
  };

  function resolveTable(ref: TableRef, session: Session, writing = false): TableState {
    const namespace = ref.namespace ?? session.namespace;
    const key = tableKey(namespace, ref.name);
    const table = state.tables.get(key);
    if (!table) throw tableNotFound(namespace, ref.name);
    if (options.unavailableTables?.has(key)) {
      if (writing) throw new SqlError('SQL_EXECUTION_ERROR', `${table.definition.type === 'user' ? 'User' : 'Shared'} table provider not found for ${key}`);
      throw tableNotFound(namespace, ref.name);
    }
    return table;
  }

  function partitionFor(table: TableState, user: string): string {
    return table.definition.type === 'user' ? user : '';
  }

  /** Hot and cold merged: per primary key the highest `_seq` wins, and tombstones hide the key. */
  function visibleRows(table: TableState, partition: string): StoredRow[] {
    const definition = table.definition;
    const hot = table.partitions.get(partition);
    const scope = options.cold.get(tableKey(definition.namespace, definition.name))?.get(partition);
    if (scope?.unavailable) throw new SqlError('SQL_EXECUTION_ERROR', `${definition.namespace}.${definition.name}: ${scope.unavailable}`);
    if (!scope || scope.rows.size === 0) return [...(hot?.values() ?? [])].filter((row) => !row.deleted);
    if (options.defects.has('no-dedupe')) {
      return [...scope.rows.values(), ...(hot?.values() ?? [])].filter((row) => !row.deleted);
    }
    const merged = new Map(scope.rows);
    for (const [key, row] of hot ?? []) {
      const cold = merged.get(key);
      if (!cold || cold.seq < row.seq) merged.set(key, row);
    }
    return [...merged.values()].filter((row) => !row.deleted);
  }

  /** stale-reads: SELECTs of a table partition answer from a copy of its rows refreshed at most every 200 ms. */
  const snapshots = new Map<string, { readonly takenAt: number; readonly rows: StoredRow[] }>();
  const SNAPSHOT_REFRESH_MS = 200;
  function rowsForSelect(table: TableState, partition: string): StoredRow[] {
    if (!options.defects.has('stale-reads')) return visibleRows(table, partition);
    const key = `${tableKey(table.definition.namespace, table.definition.name)}/${partition}`;
    const snapshot = snapshots.get(key);
    if (snapshot && performance.now() - snapshot.takenAt < SNAPSHOT_REFRESH_MS) return snapshot.rows;
    const rows = visibleRows(table, partition);
    snapshots.set(key, { takenAt: performance.now(), rows });
    return rows;
  }

  function visibleKeys(table: TableState, partition: string): Set<Value> {
    return new Set(visibleRows(table, partition).map((row) => row.values[table.definition.primaryKey] ?? null));
  }

  async function execute(statement: Statement, session: Session, asUser?: string): Promise<StatementResult> {
    const actingUser = asUser ?? session.user;
    switch (statement.kind) {
      case 'execute-as-user': {
        if (session.user !== 'root') throw new SqlError('PERMISSION_DENIED', `user '${session.user}' may not EXECUTE AS USER`);
        if (!NAME.test(statement.user)) throw new SqlError('SQL_EXECUTION_ERROR', `invalid user id '${statement.user}'`);
        const result = await execute(statement.statement, session, statement.user);
        return { ...result, as_user: statement.user };
      }
      case 'select':
        return select(statement, session, actingUser);
      case 'insert':
        return insert(statement, session, actingUser);
      case 'update':
        return update(statement, session, actingUser);
      case 'delete':
        return remove(statement, session, actingUser);
      case 'create-namespace':
        return createNamespace(statement.name, statement.ifNotExists);
      case 'drop-namespace':
        return dropNamespace(statement.name, statement.ifExists, statement.cascade);
      case 'create-table':
        return createTable(statement, session);
      case 'drop-table':
        return dropTable(statement.table, statement.ifExists, session);
      case 'alter-table-add-column':
        return addColumn(statement, session);
      case 'create-user':
        return createUser(statement, session);
      case 'drop-user':
        return dropUser(statement, session);
      case 'flush':
        return flush(statement, session);
    }
  }

  function select(statement: Extract<Statement, { kind: 'select' }>, session: Session, user: string): StatementResult {
    let columns: readonly ResultColumn[];
    let rows: Row[];
    let where: string;
    if (!statement.from) {
      return selectLiterals(statement.items);
    } else if (statement.from.namespace === 'system') {
      const system = SYSTEM_TABLES[statement.from.name];
      if (!system) throw tableNotFound('system', statement.from.name);
      columns = system.columns;
      rows = system.rows(state);
      where = `system.${statement.from.name}`;
    } else {
      const table = resolveTable(statement.from, session);
      const definition = table.definition;
      columns = [
        ...definition.columns.map((column) => ({ name: column.name, data_type: column.type, ...columnFlags(column) })),
        { name: '_seq', data_type: 'BigInt' as const, flags: ['nn'] },
        { name: '_deleted', data_type: 'Boolean' as const, flags: ['nn'] },
      ];
      rows = rowsForSelect(table, partitionFor(table, user)).map((row) => ({ ...row.values, _seq: row.seq, _deleted: false }));
      where = `${definition.namespace}.${definition.name}`;
      // Without ORDER BY, rows come in primary-key order, like a scan of KalamDB's key-ordered store.
      if (statement.orderBy.length === 0) sortRows(rows, [{ column: definition.primaryKey, descending: false }]);
    }
    assertColumnsExist(columnsIn(statement.where), columns, where);
    assertColumnsExist(statement.orderBy.map((term) => term.column), columns, where);
    const filtered = rows.filter((row) => matches(statement.where, row));

    if (statement.items.some((item) => item.kind === 'count-star')) {
      if (statement.items.length !== 1) throw new SqlError('SQL_EXECUTION_ERROR', 'COUNT(*) cannot be combined with other select items here');
      return { schema: [{ name: 'count(*)', data_type: 'BigInt', index: 0 }], rows: [[String(filtered.length)]], row_count: 1 };
    }
    const projection = project(statement.items, columns, where);
    sortRows(filtered, statement.orderBy);
    const limit = Math.min(statement.limit ?? options.defaultQueryLimit, options.maxQueryLimit);
    const offset = statement.offset ?? 0;
    const page = filtered.slice(offset, offset + limit);
    const resultRows = page.map((row) => projection.map((column) => asJson(column.data_type, row[column.name] ?? null)));
    return {
      schema: projection.map((column, index) => ({ name: column.name, data_type: column.data_type, index, ...(column.flags ? { flags: column.flags } : {}) })),
      ...(resultRows.length > 0 ? { rows: resultRows } : {}),
      row_count: resultRows.length,
    };
  }

  function project(items: readonly SelectItem[], columns: readonly ResultColumn[], where: string): ResultColumn[] {
    const projection: ResultColumn[] = [];
    for (const item of items) {
      // kalamdb-server 0.4.3 includes _seq and _deleted in SELECT * (measured).
      if (item.kind === 'star') projection.push(...columns);
      else if (item.kind === 'column') {
        assertColumnsExist([item.name], columns, where);
        projection.push(columns.find((column) => column.name === item.name)!);
      } else throw new SqlError('SQL_EXECUTION_ERROR', 'literal select items are only supported without FROM');
    }
    return projection;
  }

  function selectLiterals(items: readonly SelectItem[]): StatementResult {
    const schema: NonNullable<StatementResult['schema']> = [];
    const row: Value[] = [];
    for (const item of items) {
      if (item.kind !== 'literal') throw new SqlError('SQL_EXECUTION_ERROR', 'a SELECT without FROM can only select values');
      const value = item.value;
      const dataType: ColumnTypeName = typeof value === 'number' ? (Number.isInteger(value) ? 'BigInt' : 'Double') : typeof value === 'boolean' ? 'Boolean' : 'Text';
      const name = typeof value === 'number' && Number.isInteger(value) ? `Int64(${value})` : typeof value === 'string' ? `Utf8("${value}")` : item.text;
      schema.push({ name, data_type: dataType, index: schema.length });
      row.push(asJson(dataType, value));
    }
    return { schema, rows: [row], row_count: 1 };
  }

  async function insert(statement: Extract<Statement, { kind: 'insert' }>, session: Session, user: string): Promise<StatementResult> {
    const table = resolveTable(statement.table, session, true);
    const definition = table.definition;
    const names = statement.columns ?? definition.columns.map((column) => column.name);
    for (const name of names) {
      if (!definition.columns.some((column) => column.name === name)) {
        throw new SqlError('SQL_EXECUTION_ERROR', `Column '${name}' not found in ${definition.namespace}.${definition.name}`);
      }
    }
    const partition = partitionFor(table, user);
    const committed = visibleKeys(table, partition);
    const reservationKey = `${tableKey(definition.namespace, definition.name)}/${partition}`;
    const reserved = inFlightKeys.get(reservationKey) ?? new Set<Value>();
    const keysOfStatement = new Set<Value>();
    const rows: StoredRow[] = statement.rows.map((values) => {
      if (values.length !== names.length) {
        throw new SqlError('SQL_EXECUTION_ERROR', `INSERT has ${names.length} columns but a row has ${values.length} values`);
      }
      const row: Record<string, Value> = {};
      for (const column of definition.columns) {
        const index = names.indexOf(column.name);
        row[column.name] = coerce(index === -1 ? (column.defaultValue ?? null) : values[index]!, column, definition);
      }
      const key = row[definition.primaryKey]!;
      if (keysOfStatement.has(key) || committed.has(key) || reserved.has(key)) {
        throw new SqlError(
          'SQL_EXECUTION_ERROR',
          // kalamdb-server 0.4.3's wording, its wrapping included (measured).
          `Execution error: Raft error: Internal error: Provider error: Execution error: Failed to insert batch: Already exists: Primary key violation: value '${String(key)}' already exists in column '${definition.primaryKey}'`,
        );
      }
      keysOfStatement.add(key);
      return { seq: 0, values: row };
    });
    const sequenced = rows.map((row) => ({ ...row, seq: ++state.lastSeq }));
    const record: WalRecord = { op: 'put', table: tableKey(definition.namespace, definition.name), partition, rows: sequenced };
    const result = { row_count: rows.length, message: `Inserted ${rows.length} row(s)` };

    if (options.defects.has('ack-before-write')) {
      applyRecord(state, record);
      owe(record);
      return result;
    }
    for (const key of keysOfStatement) reserved.add(key);
    inFlightKeys.set(reservationKey, reserved);
    try {
      await commit(record);
    } finally {
      for (const key of keysOfStatement) reserved.delete(key);
      if (reserved.size === 0) inFlightKeys.delete(reservationKey);
    }
    options.afterInsert?.(table);
    return result;
  }

  /** The ack-before-write defect: the row is visible and acknowledged; the log hears of it later. */
  function owe(record: WalRecord): void {
    const write = new Promise<void>((resolve) => setTimeout(resolve, options.ackDelayMs))
      .then(() => wal.append(record))
      .catch((error: unknown) => options.log.error({ err: error }, 'deferred wal write failed'))
      .finally(() => owedWrites.delete(write));
    owedWrites.add(write);
  }

  async function update(statement: Extract<Statement, { kind: 'update' }>, session: Session, user: string): Promise<StatementResult> {
    const table = resolveTable(statement.table, session);
    const definition = table.definition;
    const where = `${definition.namespace}.${definition.name}`;
    const columns = definition.columns.map((column) => ({ name: column.name, data_type: column.type }));
    assertColumnsExist(columnsIn(statement.where), columns, where);
    assertColumnsExist(statement.assignments.map((assignment) => assignment.column), columns, where);
    if (statement.assignments.some((assignment) => assignment.column === definition.primaryKey)) {
      throw new SqlError('SQL_EXECUTION_ERROR', `cannot update primary key column '${definition.primaryKey}'`);
    }
    const partition = partitionFor(table, user);
    const targets = visibleRows(table, partition).filter((row) => matches(statement.where, row.values));
    if (targets.length === 0) return { row_count: 0, message: 'Updated 0 row(s)' };
    const rows = targets.map((row) => {
      const values: Record<string, Value> = { ...row.values };
      for (const assignment of statement.assignments) {
        values[assignment.column] = coerce(assignment.value, definition.columns.find((column) => column.name === assignment.column)!, definition);
      }
      return { seq: ++state.lastSeq, values };
    });
    await commit({ op: 'put', table: tableKey(definition.namespace, definition.name), partition, rows });
    return { row_count: rows.length, message: `Updated ${rows.length} row(s)` };
  }

  async function remove(statement: Extract<Statement, { kind: 'delete' }>, session: Session, user: string): Promise<StatementResult> {
    const table = resolveTable(statement.table, session);
    const definition = table.definition;
    const columns = definition.columns.map((column) => ({ name: column.name, data_type: column.type }));
    assertColumnsExist(columnsIn(statement.where), columns, `${definition.namespace}.${definition.name}`);
    const partition = partitionFor(table, user);
    const keys = visibleRows(table, partition)
      .filter((row) => matches(statement.where, row.values))
      .map((row) => row.values[definition.primaryKey] ?? null);
    if (keys.length === 0) return { row_count: 0, message: 'Deleted 0 row(s)' };
    await commit({ op: 'delete', table: tableKey(definition.namespace, definition.name), partition, keys, seq: ++state.lastSeq });
    return { row_count: keys.length, message: `Deleted ${keys.length} row(s)` };
  }

  async function createNamespace(name: string, ifNotExists: boolean): Promise<StatementResult> {
    assertName(name, 'namespace');
    if (name === 'system') throw new SqlError('SQL_EXECUTION_ERROR', "Namespace 'system' is reserved");
    if (state.namespaces.has(name)) {
      if (ifNotExists) return { row_count: 0, message: `Namespace '${name}' already exists` };
      throw new SqlError('SQL_EXECUTION_ERROR', `Already exists: Namespace '${name}' already exists`);
    }
    await commit({ op: 'create-namespace', namespace: { name, createdAt: Date.now() } });
    return { row_count: 0, message: `Namespace '${name}' created successfully` };
  }

  async function dropNamespace(name: string, ifExists: boolean, cascade: boolean): Promise<StatementResult> {
    if (!state.namespaces.has(name)) {
      if (ifExists) return { row_count: 0, message: `Namespace '${name}' does not exist` };
      throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${name}' does not exist`);
    }
    const tables = [...state.tables.values()].filter((table) => table.definition.namespace === name);
    if (tables.length > 0 && !cascade) {
      throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${name}' has ${tables.length} table(s); use CASCADE to drop them`);
    }
    await commit({ op: 'drop-namespace', name });
    return { row_count: 0, message: `Namespace '${name}' dropped` };
  }

  async function createTable(statement: Extract<Statement, { kind: 'create-table' }>, session: Session): Promise<StatementResult> {
    const namespace = statement.table.namespace ?? session.namespace;
    const name = statement.table.name;
    assertName(name, 'table');
    if (!state.namespaces.has(namespace)) throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${namespace}' does not exist`);
    if (state.tables.has(tableKey(namespace, name))) {
      // kalamdb-server 0.4.3 says created even when IF NOT EXISTS found the table (measured).
      if (statement.ifNotExists) return { row_count: 0, message: `CREATE TABLE via Raft consensus: ${state.tables.get(tableKey(namespace, name))!.definition.type} table ${namespace}.${name} created successfully` };
      throw new SqlError('SQL_EXECUTION_ERROR', `Table '${namespace}.${name}' already exists`);
    }
    for (const key of Object.keys(statement.options)) {
      if (!TABLE_OPTIONS.has(key)) throw new SqlError('INVALID_SQL', `unknown table option ${key}`);
    }
    const type = tableType(statement.options.TYPE);
    const flushPolicy = statement.options.FLUSH_POLICY ?? null;
    if (flushPolicy !== null) validateFlushPolicy(flushPolicy);
    const seen = new Set<string>();
    for (const column of statement.columns) {
      assertName(column.name, 'column');
      if (SYSTEM_COLUMNS.has(column.name)) throw new SqlError('SQL_EXECUTION_ERROR', `column name '${column.name}' is reserved`);
      if (seen.has(column.name)) throw new SqlError('SQL_EXECUTION_ERROR', `column '${column.name}' is declared twice`);
      seen.add(column.name);
    }
    const keys = statement.columns.filter((column) => column.primaryKey);
    if (keys.length !== 1) throw new SqlError('SQL_EXECUTION_ERROR', `table '${namespace}.${name}' needs exactly one PRIMARY KEY column`);
    const definition: TableDefinition = {
      namespace,
      name,
      type,
      columns: statement.columns,
      primaryKey: keys[0]!.name,
      flushPolicy,
      storageId: statement.options.STORAGE_ID ?? 'local',
      createdAt: Date.now(),
      schemaVersion: 1,
    };
    await commitDdl({ op: 'create-table', table: definition });
    return { row_count: 0, message: `CREATE TABLE via Raft consensus: ${type} table ${namespace}.${name} created successfully` };
  }

  async function flush(statement: Extract<Statement, { kind: 'flush' }>, session: Session): Promise<StatementResult> {
    let tables: TableState[];
    if (statement.table) tables = [resolveTable(statement.table, session)];
    else if (statement.namespace) {
      if (!state.namespaces.has(statement.namespace)) throw new SqlError('SQL_EXECUTION_ERROR', `Namespace '${statement.namespace}' does not exist`);
      tables = [...state.tables.values()].filter((table) => table.definition.namespace === statement.namespace);
    } else tables = [...state.tables.values()];
    const flushable = tables.filter((table) => table.definition.type !== 'stream');
    if (statement.table && flushable.length === 0) throw new SqlError('SQL_EXECUTION_ERROR', 'STREAM tables never flush to Parquet');
    const stale = statement.table ? options.flusher.staleJobOf(flushable[0]!) : undefined;
    if (stale) return { row_count: 0, message: `Storage flush skipped: a flush is already queued or running for table '${stale.namespace}.${stale.table}'` };
    if (statement.table) {
      const { namespace, name } = flushable[0]!.definition;
      const request = await options.flusher.enqueue(flushable[0]!);
      const message =
        request.kind === 'started'
          ? `Storage flush started for table '${namespace}.${name}'. Job ID: ${request.jobId}`
          : request.kind === 'already-queued'
            ? `Storage flush skipped: a flush is already queued or running for table '${namespace}.${name}'`
            : `Storage flush skipped: no pending writes for table '${namespace}.${name}'`;
      return { row_count: 0, message };
    }
    const jobIds: string[] = [];
    let pending = false;
    for (const table of flushable) {
      const request = await options.flusher.enqueue(table);
      if (request.kind !== 'no-pending-writes') pending = true;
      if (request.kind === 'started') jobIds.push(request.jobId);
    }
    const where = statement.namespace ?? 'all namespaces';
    if (!pending) return { row_count: 0, message: `Storage flush skipped: no pending writes in namespace '${where}'` };
    return { row_count: 0, message: `Storage flush started for ${jobIds.length} table(s) in namespace '${where}'. Job IDs: [${jobIds.join(', ')}]` };
  }

  async function dropTable(ref: TableRef, ifExists: boolean, session: Session): Promise<StatementResult> {
    const namespace = ref.namespace ?? session.namespace;
    if (!state.tables.has(tableKey(namespace, ref.name))) {
      if (ifExists) return { row_count: 0, message: `Table '${namespace}.${ref.name}' does not exist` };
      throw tableNotFound(namespace, ref.name);
    }
    await commit({ op: 'drop-table', table: tableKey(namespace, ref.name) });
    return { row_count: 0, message: `Table '${namespace}.${ref.name}' dropped` };
  }

  async function addColumn(statement: Extract<Statement, { kind: 'alter-table-add-column' }>, session: Session): Promise<StatementResult> {
    const table = resolveTable(statement.table, session);
    const definition = table.definition;
    const column = statement.column;
    assertName(column.name, 'column');
    if (SYSTEM_COLUMNS.has(column.name)) throw new SqlError('SQL_EXECUTION_ERROR', `column name '${column.name}' is reserved`);
    // kalamdb-server 0.4.3's wording (measured).
    if (definition.columns.some((existing) => existing.name === column.name)) throw new SqlError('SQL_EXECUTION_ERROR', `Invalid operation: Column '${column.name}' already exists`);
    if (column.primaryKey) throw new SqlError('SQL_EXECUTION_ERROR', 'ALTER TABLE cannot add a PRIMARY KEY column');
    if (!column.nullable && column.defaultValue === undefined) throw new SqlError('SQL_EXECUTION_ERROR', `NOT NULL column '${column.name}' needs a DEFAULT`);
    const schemaVersion = definition.schemaVersion + 1;
    const key = tableKey(definition.namespace, definition.name);
    await commitDdl({ op: 'add-column', table: key, column, schemaVersion });
    return { row_count: 0, message: `Table ${key} altered successfully: ADD COLUMN ${column.name} ${column.type.toUpperCase()} (version ${schemaVersion})` };
  }

  async function createUser(statement: Extract<Statement, { kind: 'create-user' }>, session: Session): Promise<StatementResult> {
    if (session.user !== 'root') throw new SqlError('PERMISSION_DENIED', `user '${session.user}' may not CREATE USER`);
    assertName(statement.name, 'user');
    if (statement.name === 'root' || state.users.has(statement.name)) throw new SqlError('SQL_EXECUTION_ERROR', `Already exists: User '${statement.name}' already exists`);
    if (!['user', 'service', 'dba', 'system'].includes(statement.role.toLowerCase())) throw new SqlError('SQL_EXECUTION_ERROR', `unknown role '${statement.role}'`);
    const salt = randomBytes(16);
    const passwordHash = `${salt.toString('hex')}:${scryptSync(statement.password, salt, 32).toString('hex')}`;
    await commit({ op: 'create-user', user: { name: statement.name, role: statement.role.toLowerCase(), passwordHash, createdAt: Date.now(), deletedAt: null } });
    return { row_count: 0, message: `User '${statement.name}' created` };
  }

  async function dropUser(statement: Extract<Statement, { kind: 'drop-user' }>, session: Session): Promise<StatementResult> {
    if (session.user !== 'root') throw new SqlError('PERMISSION_DENIED', `user '${session.user}' may not DROP USER`);
    const user = state.users.get(statement.name);
    if (!user) {
      if (statement.ifExists) return { row_count: 0, message: `User '${statement.name}' does not exist` };
      throw new SqlError('SQL_EXECUTION_ERROR', `Not found: User '${statement.name}' not found`);
    }
    // kalamdb-server 0.4.3 answers a second DROP USER like the first (measured).
    if (user.deletedAt === null) await commit({ op: 'drop-user', name: statement.name, deletedAt: Date.now() });
    return { row_count: 0, message: `User '${statement.name}' dropped (soft delete)` };
  }

  return {
    // kalamdb-server 0.4.3 names the acting user in every result (`as_user: "root"` for plain statements).
    execute: async (statement, session) => {
      const result = await execute(statement, session);
      return { ...result, as_user: result.as_user ?? session.user };
    },
    async settle() {
      while (owedWrites.size > 0) await Promise.all([...owedWrites]);
      for (const held of unwrittenDdl.splice(0)) await wal.append(held);
    },
  };
}

function assertName(name: string, what: string): void {
  if (!NAME.test(name)) throw new SqlError('SQL_EXECUTION_ERROR', `invalid ${what} name '${name}'`);
}

function tableType(option: string | undefined): TableType {
  const type = (option ?? 'SHARED').toUpperCase();
  if (type === 'USER') return 'user';
  if (type === 'SHARED') return 'shared';
  if (type === 'STREAM') return 'stream';
  throw new SqlError('INVALID_SQL', `unknown table TYPE '${option}'; expected USER, SHARED or STREAM`);
}

/** `rows:N`, `interval:S` or both, comma separated (INTERFACE.md). */
export function validateFlushPolicy(policy: string): void {
  const parts = policy.split(',').map((part) => part.trim());
  const kinds = new Set<string>();
  for (const part of parts) {
    const match = /^(rows|interval):(\d+)$/.exec(part);
    if (!match || Number(match[2]) <= 0 || kinds.has(match[1]!)) {
      throw new SqlError('INVALID_SQL', `invalid FLUSH_POLICY '${policy}'; expected 'rows:N', 'interval:S' or 'rows:N,interval:S'`);
    }
    kinds.add(match[1]!);
  }
}

function coerce(value: Value, column: ColumnSpec, table: TableDefinition): Value {
  const where = `column '${column.name}' of ${table.namespace}.${table.name}`;
  if (value === null) {
    if (!column.nullable) throw new SqlError('SQL_EXECUTION_ERROR', `NULL value in non-nullable ${where}`);
    return null;
  }
  const mismatch = () => new SqlError('SQL_EXECUTION_ERROR', `cannot store ${JSON.stringify(value)} in ${where} of type ${column.type}`);
  switch (column.type) {
    case 'BigInt':
    case 'Int':
    case 'SmallInt': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw mismatch();
      if (column.type === 'Int' && (number < -(2 ** 31) || number >= 2 ** 31)) throw mismatch();
      if (column.type === 'SmallInt' && (number < -(2 ** 15) || number >= 2 ** 15)) throw mismatch();
      return number;
    }
    case 'Double':
    case 'Float': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number)) throw mismatch();
      return number;
    }
    case 'Text':
      return typeof value === 'string' ? value : String(value);
    case 'Boolean':
      if (typeof value !== 'boolean') throw mismatch();
      return value;
    case 'Timestamp': {
      const millis = typeof value === 'number' ? value : Date.parse(String(value));
      if (!Number.isFinite(millis)) throw mismatch();
      return millis;
    }
  }
}

