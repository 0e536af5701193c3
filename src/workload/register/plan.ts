import { executeAsUser } from '../../client/sql-client.js';
import type { PlannedOperation } from '../operations.js';
import type { Random } from '../../util/random.js';
import type { TableSpec } from '../../vocabulary/scenario.js';
import type { Scope } from '../../vocabulary/violations.js';

/** The register workload's tables: one SHARED, one USER (a partition per user of the run). */
export const REGISTER_TABLES: readonly TableSpec[] = [
  { name: 'registers', type: 'SHARED', workload: 'register' },
  { name: 'user_registers', type: 'USER', workload: 'register' },
];

/** Every scope holds keys 1..KEYS from setup on, each first with the initial value. */
export const KEYS = 8;
export const INITIAL_VALUE = 'init';
export const COLUMNS = ['id', 'v', 'n'] as const;

export type RegisterOp = 'update' | 'increment';

/** The tag of a process's n-th write: unique per write, and the checker reads process and n back from it. */
export function tagOf(process: number, n: number): string {
  return `p${process}n${n}`;
}

/** The inverse of tagOf, without a regular expression: the checker parses one per event. */
export function parseTag(value: unknown): { process: number; n: number } | undefined {
  if (typeof value !== 'string' || value.length < 4 || value.length > 20 || value.charCodeAt(0) !== 112 /* p */) return undefined;
  const separator = value.indexOf('n', 1);
  if (separator < 2 || separator === value.length - 1) return undefined;
  const process = digits(value, 1, separator);
  const n = digits(value, separator + 1, value.length);
  return process === undefined || n === undefined ? undefined : { process, n };
}

function digits(text: string, from: number, to: number): number | undefined {
  let value = 0;
  for (let index = from; index < to; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** CREATE TABLE of each table, then its initial rows in every scope (as the user for a USER table). */
export function schemaStatements(namespace: string, scopes: readonly Scope[]): string[] {
  const tables = REGISTER_TABLES.map((table) => `CREATE TABLE ${namespace}.${table.name} (id BIGINT PRIMARY KEY, v TEXT, n BIGINT) WITH (TYPE = '${table.type}')`);
  const values = Array.from({ length: KEYS }, (_, index) => `(${index + 1}, '${INITIAL_VALUE}', 0)`).join(', ');
  const rows = scopes.map((scope) => {
    const insert = `INSERT INTO ${scope.table} (id, v, n) VALUES ${values}`;
    return scope.partition ? executeAsUser(scope.partition, insert) : insert;
  });
  return [...tables, ...rows];
}

export function updateSql(scope: Scope, f: RegisterOp, key: number, tag: string): string {
  const set = f === 'increment' ? `n = n + 1, v = '${tag}'` : `v = '${tag}'`;
  return `UPDATE ${scope.table} SET ${set} WHERE id = ${key}`;
}

export function plannedWrite(scope: Scope, f: RegisterOp, key: number, tag: string): PlannedOperation {
  return { table: scope.table, partition: scope.partition, op: { workload: 'register', f, keys: [key], value: tag }, sql: updateSql(scope, f, key, tag) };
}

/** One process's seeded sequence of writes; its position carries across cycles. */
export interface WriteSequence {
  next(): PlannedOperation;
  /** A write into one given scope (a probe), still from this sequence's tags. */
  nextIn(scope: Scope): PlannedOperation;
}

export function writeSequence(process: number, random: Random, scopes: readonly Scope[]): WriteSequence {
  let written = 0;
  const write = (scope: Scope): PlannedOperation => {
    const key = random.int(1, KEYS);
    const f: RegisterOp = random.next() < 0.5 ? 'increment' : 'update';
    return plannedWrite(scope, f, key, tagOf(process, written++));
  };
  return { next: () => write(random.pick(scopes)), nextIn: write };
}
