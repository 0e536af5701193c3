/** The statements of the SQL subset, as data. */
export type Value = number | string | boolean | null;

export interface TableRef {
  /** Absent when the statement names the table without a namespace. */
  readonly namespace?: string;
  readonly name: string;
}

export type ColumnTypeName = 'BigInt' | 'Int' | 'SmallInt' | 'Text' | 'Boolean' | 'Double' | 'Float' | 'Timestamp';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnTypeName;
  readonly primaryKey: boolean;
  readonly nullable: boolean;
  readonly defaultValue?: Value;
}

/** `alias`: `AS name` (the result column's name). */
export type SelectItem =
  | { readonly kind: 'star' }
  | { readonly kind: 'count-star'; readonly alias?: string }
  | { readonly kind: 'column'; readonly name: string; readonly alias?: string }
  /** LENGTH(column): characters of a text value (DataFusion's character_length). */
  | { readonly kind: 'length'; readonly column: string; readonly alias?: string }
  | { readonly kind: 'literal'; readonly value: Value; readonly text: string; readonly alias?: string };

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly condition: Condition }
  | { readonly kind: 'compare'; readonly column: string; readonly operator: ComparisonOperator; readonly value: Value }
  | { readonly kind: 'in'; readonly column: string; readonly values: readonly Value[]; readonly negated: boolean }
  | { readonly kind: 'is-null'; readonly column: string; readonly negated: boolean };

export interface OrderTerm {
  readonly column: string;
  readonly descending: boolean;
}

/** A term of an UPDATE expression: a column of the row being updated, or a literal. */
export type Term = { readonly kind: 'column'; readonly name: string } | { readonly kind: 'value'; readonly value: Value };

export type ArithmeticOperator = '+' | '-' | '*';

/** `SET c = <literal>` or `SET c = <term> <op> <term>` (KalamDB evaluates arithmetic, e.g. `n = n + 1`). */
export type Assignment =
  | { readonly column: string; readonly value: Value }
  | { readonly column: string; readonly arithmetic: { readonly left: Term; readonly operator: ArithmeticOperator; readonly right: Term } };

export type Statement =
  | {
      readonly kind: 'select';
      readonly items: readonly SelectItem[];
      readonly from?: TableRef;
      readonly where?: Condition;
      readonly orderBy: readonly OrderTerm[];
      readonly limit?: number;
      readonly offset?: number;
    }
  /** `name` as written (lower-cased when it is a plain identifier): the executor judges it, as KalamDB does. */
  | { readonly kind: 'create-namespace'; readonly name: string; readonly ifNotExists: boolean }
  | { readonly kind: 'drop-namespace'; readonly name: string; readonly ifExists: boolean; readonly cascade: boolean }
  | {
      readonly kind: 'create-table';
      readonly table: TableRef;
      readonly ifNotExists: boolean;
      readonly columns: readonly ColumnSpec[];
      /** WITH (...) options, keys upper-cased; a `CREATE USER TABLE` sets TYPE. */
      readonly options: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'drop-table'; readonly table: TableRef; readonly ifExists: boolean }
  | { readonly kind: 'describe-table'; readonly table: TableRef }
  | { readonly kind: 'alter-table-add-column'; readonly table: TableRef; readonly column: ColumnSpec }
  | { readonly kind: 'alter-table-drop-column'; readonly table: TableRef; readonly column: string }
  | { readonly kind: 'create-user'; readonly user: string; readonly password: string; readonly role: string }
  | { readonly kind: 'drop-user'; readonly user: string; readonly ifExists: boolean }
  | { readonly kind: 'insert'; readonly table: TableRef; readonly columns?: readonly string[]; readonly rows: readonly (readonly Value[])[] }
  | {
      readonly kind: 'update';
      readonly table: TableRef;
      readonly assignments: readonly Assignment[];
      readonly where?: Condition;
    }
  | { readonly kind: 'delete'; readonly table: TableRef; readonly where?: Condition }
  | { readonly kind: 'execute-as-user'; readonly user: string; readonly statement: Statement }
  /** `STORAGE FLUSH TABLE t`, `STORAGE FLUSH ALL IN ns`, `STORAGE FLUSH ALL`, and the older `FLUSH TABLE t`. */
  | { readonly kind: 'flush'; readonly table?: TableRef; readonly namespace?: string }
  /** `SUBSCRIBE TO ns.t [WHERE ...] [OPTIONS (...)]`; `query` is the table and WHERE as written. */
  | { readonly kind: 'subscribe'; readonly table: TableRef; readonly query: string; readonly options: Readonly<Record<string, Value>> };
