import type { ArithmeticOperator, Assignment, ColumnSpec, ColumnTypeName, ComparisonOperator, Condition, OrderTerm, SelectItem, Statement, TableRef, Term, Value } from './ast.js';
import { SqlSyntaxError, splitStatements, tokenize, tokenText, type Token } from './tokens.js';

export { SqlSyntaxError } from './tokens.js';

const TYPE_NAMES: Readonly<Record<string, ColumnTypeName>> = {
  BIGINT: 'BigInt',
  INT8: 'BigInt',
  INT: 'Int',
  INTEGER: 'Int',
  INT4: 'Int',
  SMALLINT: 'SmallInt',
  TEXT: 'Text',
  VARCHAR: 'Text',
  STRING: 'Text',
  BOOLEAN: 'Boolean',
  BOOL: 'Boolean',
  DOUBLE: 'Double',
  FLOAT: 'Float',
  REAL: 'Float',
  TIMESTAMP: 'Timestamp',
};

/** The roles CREATE USER accepts, in the order the binary's hint lists them. */
const USER_ROLES = ['dba', 'admin', 'developer', 'analyst', 'viewer', 'user', 'service', 'system'];

/** Parses a batch: statements separated by top-level semicolons. Throws SqlSyntaxError. */
export function parseBatch(sql: string, params: readonly Value[] = []): Statement[] {
  return splitStatements(tokenize(sql)).map((tokens, index) => {
    try {
      return new Parser(tokens, params, sql).statement();
    } catch (error) {
      if (error instanceof SqlSyntaxError) error.statement = { index, words: tokens.slice(0, 3).map((token) => (token.kind === 'word' ? token.upper : '')) };
      throw error;
    }
  });
}

/** A plain identifier is folded to lower case; anything else stays as written for the executor to refuse. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly params: readonly Value[],
    /** The whole batch: names KalamDB takes as written (CREATE NAMESPACE) are read from it. */
    private readonly source: string,
  ) {}

  statement(): Statement {
    const statement = this.parseStatement();
    const extra = this.peek();
    if (extra) throw this.error(`unexpected ${describe(extra)} after the end of the statement`, extra, 'end of statement');
    return statement;
  }

  private parseStatement(): Statement {
    const first = this.peek();
    if (!first) throw new SqlSyntaxError('empty statement');
    if (this.acceptWord('SELECT')) return this.select();
    if (this.acceptWord('INSERT')) return this.insert();
    if (this.acceptWord('UPDATE')) return this.update();
    if (this.acceptWord('DELETE')) return this.deleteStatement();
    if (this.acceptWord('CREATE')) return this.create();
    if (this.acceptWord('DROP')) return this.drop();
    if (this.acceptWord('ALTER')) return this.alterTable();
    if (this.acceptWords('DESCRIBE', 'TABLE')) return { kind: 'describe-table', table: this.tableRef() };
    if (this.acceptWord('EXECUTE')) return this.executeAsUser();
    if (this.acceptWord('STORAGE')) {
      this.expectWord('FLUSH');
      return this.flush(true);
    }
    if (this.acceptWord('FLUSH')) return this.flush(false);
    if (this.acceptWords('SUBSCRIBE', 'TO')) return this.subscribe();
    throw this.error(`unsupported statement starting with ${describe(first)}`, first, 'an SQL statement');
  }

  private select(): Statement {
    const items: SelectItem[] = [];
    do items.push(this.selectItem());
    while (this.acceptPunct(','));
    const from = this.acceptWord('FROM') ? this.tableRef() : undefined;
    const where = this.acceptWord('WHERE') ? this.condition() : undefined;
    const orderBy: OrderTerm[] = [];
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      do {
        const column = this.identifier();
        const descending = this.acceptWord('DESC') ? true : (this.acceptWord('ASC'), false);
        orderBy.push({ column, descending });
      } while (this.acceptPunct(','));
    }
    let limit: number | undefined;
    let offset: number | undefined;
    for (;;) {
      if (limit === undefined && this.acceptWord('LIMIT')) limit = this.nonNegativeInteger('LIMIT');
      else if (offset === undefined && this.acceptWord('OFFSET')) offset = this.nonNegativeInteger('OFFSET');
      else break;
    }
    return {
      kind: 'select',
      items,
      ...(from ? { from } : {}),
      ...(where ? { where } : {}),
      orderBy,
      ...(limit !== undefined ? { limit } : {}),
      ...(offset !== undefined ? { offset } : {}),
    };
  }

  private selectItem(): SelectItem {
    if (this.acceptPunct('*')) return { kind: 'star' };
    const item = this.unnamedSelectItem();
    return this.acceptWord('AS') ? { ...item, alias: this.identifier() } : item;
  }

  private unnamedSelectItem(): Exclude<SelectItem, { kind: 'star' }> {
    const token = this.peek();
    const after = this.peekAt(1);
    if (token?.kind === 'word' && token.upper === 'COUNT' && after && isPunct(after, '(')) {
      this.position += 2;
      this.expectPunct('*');
      this.expectPunct(')');
      return { kind: 'count-star' };
    }
    if (token?.kind === 'word' && token.upper === 'LENGTH' && after && isPunct(after, '(')) {
      this.position += 2;
      const column = this.identifier();
      this.expectPunct(')');
      return { kind: 'length', column };
    }
    if (token && (token.kind === 'number' || token.kind === 'string' || token.kind === 'param' || isPunct(token, '-') || isLiteralWord(token))) {
      const start = this.position;
      const value = this.literal();
      const text = this.tokens.slice(start, this.position).map(tokenText).join('');
      return { kind: 'literal', value, text };
    }
    return { kind: 'column', name: this.identifier() };
  }

  private insert(): Statement {
    this.expectWord('INTO');
    const table = this.tableRef();
    let columns: string[] | undefined;
    if (this.acceptPunct('(')) {
      columns = [];
      do columns.push(this.identifier());
      while (this.acceptPunct(','));
      this.expectPunct(')');
    }
    this.expectWord('VALUES');
    const rows: Value[][] = [];
    do {
      this.expectPunct('(');
      const row: Value[] = [];
      do row.push(this.literal());
      while (this.acceptPunct(','));
      this.expectPunct(')');
      rows.push(row);
    } while (this.acceptPunct(','));
    return { kind: 'insert', table, ...(columns ? { columns } : {}), rows };
  }

  private update(): Statement {
    const table = this.tableRef();
    this.expectWord('SET');
    const assignments: Assignment[] = [];
    do {
      const column = this.identifier();
      this.expectPunct('=');
      assignments.push(this.assignment(column));
    } while (this.acceptPunct(','));
    const where = this.acceptWord('WHERE') ? this.condition() : undefined;
    return { kind: 'update', table, assignments, ...(where ? { where } : {}) };
  }

  private assignment(column: string): Assignment {
    const left = this.term();
    const operatorToken = this.peek();
    const operator = operatorToken?.kind === 'punct' ? (['+', '-', '*'] as const).find((candidate) => candidate === operatorToken.text) : undefined;
    if (!operator) {
      if (left.kind === 'column') throw this.error(`expected a value or an arithmetic expression for ${column}`);
      return { column, value: left.value };
    }
    this.position++;
    return { column, arithmetic: { left, operator: operator satisfies ArithmeticOperator, right: this.term() } };
  }

  private term(): Term {
    const token = this.peek();
    if (token && (token.kind === 'quoted' || (token.kind === 'word' && !isLiteralWord(token)))) return { kind: 'column', name: this.identifier() };
    return { kind: 'value', value: this.literal() };
  }

  private alterTable(): Statement {
    this.expectWord('TABLE');
    const table = this.tableRef();
    if (this.acceptWord('DROP')) {
      this.acceptWord('COLUMN');
      return { kind: 'alter-table-drop-column', table, column: this.identifier() };
    }
    this.expectWord('ADD');
    this.acceptWord('COLUMN');
    return { kind: 'alter-table-add-column', table, column: this.columnSpec() };
  }

  /** `CREATE USER name WITH PASSWORD 'p' ROLE r`, with KalamDB's parser errors (measured). */
  private createUser(): Statement {
    const user = this.userName();
    if (!this.acceptWord('WITH')) throw new SqlSyntaxError('Expected WITH after username. Hint: Syntax: CREATE USER username WITH PASSWORD|OAUTH|INTERNAL ...');
    this.expectWord('PASSWORD');
    const password = this.next('a password');
    if (password.kind !== 'string') throw this.error('expected the password as a string literal', password);
    if (!this.acceptWord('ROLE')) throw new SqlSyntaxError('Expected ROLE keyword. Hint: ROLE is required: ... ROLE dba');
    const role = this.next('a role');
    if (role.kind !== 'word' && role.kind !== 'string' && role.kind !== 'quoted') throw this.error('expected a role', role);
    const name = role.text.toLowerCase();
    if (!USER_ROLES.includes(name)) throw new SqlSyntaxError(`Invalid role '${role.text}'. Hint: Valid roles: ${USER_ROLES.join(', ')}`);
    return { kind: 'create-user', user, password: password.text, role: name };
  }

  /** A user name keeps its case (measured: `CREATE USER S4` makes user 'S4'). */
  private userName(): string {
    const token = this.next('a user name');
    if (token.kind !== 'word' && token.kind !== 'string' && token.kind !== 'quoted') {
      throw new SqlSyntaxError('Expected WITH after username. Hint: Syntax: CREATE USER username WITH PASSWORD|OAUTH|INTERNAL ...');
    }
    return token.text;
  }

  private deleteStatement(): Statement {
    this.expectWord('FROM');
    const table = this.tableRef();
    const where = this.acceptWord('WHERE') ? this.condition() : undefined;
    return { kind: 'delete', table, ...(where ? { where } : {}) };
  }

  private create(): Statement {
    if (this.acceptWord('NAMESPACE')) {
      const ifNotExists = this.acceptWords('IF', 'NOT', 'EXISTS');
      return { kind: 'create-namespace', name: this.nameAsWritten('Entity name is required after CREATE NAMESPACE'), ifNotExists };
    }
    if (this.atUserNotTable()) {
      this.position++;
      return this.createUser();
    }
    let typeKeyword: string | undefined;
    for (const candidate of ['USER', 'SHARED', 'STREAM']) {
      if (this.acceptWord(candidate)) typeKeyword = candidate;
    }
    if (!this.acceptWord('TABLE')) throw this.error('expected an object type after CREATE', this.peek(), 'an object type after CREATE');
    const ifNotExists = this.acceptWords('IF', 'NOT', 'EXISTS');
    const table = this.tableRef();
    this.expectPunct('(');
    const columns: ColumnSpec[] = [];
    let tablePrimaryKey: string | undefined;
    do {
      if (this.acceptWords('PRIMARY', 'KEY')) {
        this.expectPunct('(');
        tablePrimaryKey = this.identifier();
        this.expectPunct(')');
      } else {
        const written = this.peek();
        const column = this.columnSpec();
        // KalamDB's CREATE TABLE parser (measured wording): names compare without case, the key included.
        if (columns.some((earlier) => earlier.name.toLowerCase() === column.name.toLowerCase())) {
          throw new SqlSyntaxError(`Invalid CREATE TABLE statement: Duplicate column name '${written && written.kind === 'word' ? written.text : column.name}'. Column names are case-insensitive.`);
        }
        columns.push(column);
      }
    } while (this.acceptPunct(','));
    if (columns.filter((column) => column.primaryKey).length + (tablePrimaryKey ? 1 : 0) > 1) {
      throw new SqlSyntaxError('Invalid CREATE TABLE statement: Multiple PRIMARY KEY definitions found');
    }
    this.expectPunct(')');
    const options: Record<string, string> = {};
    if (typeKeyword) options.TYPE = typeKeyword;
    if (this.acceptWord('WITH')) {
      this.expectPunct('(');
      do {
        const key = this.identifier().toUpperCase();
        this.expectPunct('=');
        options[key] = this.optionValue();
      } while (this.acceptPunct(','));
      this.expectPunct(')');
    }
    const withKey = tablePrimaryKey
      ? columns.map((column) => (column.name === tablePrimaryKey ? { ...column, primaryKey: true, nullable: false } : column))
      : columns;
    if (tablePrimaryKey && !columns.some((column) => column.name === tablePrimaryKey)) {
      throw new SqlSyntaxError(`PRIMARY KEY names unknown column ${tablePrimaryKey}`);
    }
    return { kind: 'create-table', table, ifNotExists, columns: withKey, options };
  }

  private columnSpec(): ColumnSpec {
    const name = this.identifier();
    const typeToken = this.next('a column type');
    const type = typeToken.kind === 'word' ? TYPE_NAMES[typeToken.upper] : undefined;
    if (!type) throw this.error(`unsupported column type ${describe(typeToken)} for column ${name}`, typeToken);
    if (this.acceptPunct('(')) {
      this.nonNegativeInteger('type length');
      this.expectPunct(')');
    }
    let primaryKey = false;
    let nullable = true;
    let defaultValue: Value | undefined;
    for (;;) {
      if (this.acceptWords('PRIMARY', 'KEY')) {
        primaryKey = true;
        nullable = false;
      } else if (this.acceptWords('NOT', 'NULL')) nullable = false;
      else if (this.acceptWord('NULL')) nullable = true;
      else if (this.acceptWord('DEFAULT')) defaultValue = this.literal();
      else break;
    }
    return { name, type, primaryKey, nullable, ...(defaultValue !== undefined ? { defaultValue } : {}) };
  }

  private drop(): Statement {
    if (this.acceptWord('NAMESPACE')) {
      const ifExists = this.acceptWords('IF', 'EXISTS');
      const name = this.identifier();
      const cascade = this.acceptWord('CASCADE');
      return { kind: 'drop-namespace', name, ifExists, cascade };
    }
    if (this.atUserNotTable()) {
      this.position++;
      const ifExists = this.acceptWords('IF', 'EXISTS');
      return { kind: 'drop-user', user: this.userName(), ifExists };
    }
    for (const candidate of ['USER', 'SHARED', 'STREAM']) this.acceptWord(candidate);
    this.expectWord('TABLE');
    const ifExists = this.acceptWords('IF', 'EXISTS');
    return { kind: 'drop-table', table: this.tableRef(), ifExists };
  }

  private flush(storage: boolean): Statement {
    if (this.acceptWord('TABLE')) {
      const table = this.tableRef();
      if (storage && !table.namespace) throw new SqlSyntaxError('Table name must be qualified (namespace.table) for STORAGE FLUSH TABLE');
      return { kind: 'flush', table };
    }
    this.expectWord('ALL');
    if (this.acceptWord('IN')) return { kind: 'flush', namespace: this.identifier() };
    return { kind: 'flush' };
  }

  /**
   * KalamDB 0.4.3 rewrites `SUBSCRIBE TO <query> [OPTIONS (...)]` to `SELECT * FROM <query>` and
   * parses that: its errors carry the rewritten statement's positions (measured wording throughout).
   */
  private subscribe(): Statement {
    const first = this.peek();
    if (!first) throw new SqlSyntaxError("Expected 'SUBSCRIBE TO' command");
    const rewritten = (token: Token) => ({ ...token, at: token.at - first.at + 'SELECT * FROM '.length });
    const asSelect = (error: unknown): never => {
      if (!(error instanceof SqlSyntaxError) || !error.detail) throw error;
      const { expected, found } = error.detail;
      const at = found ? ` at Line: 1, Column: ${rewritten(found).at + 1}` : '';
      throw new SqlSyntaxError(`Failed to parse SUBSCRIBE TO as SELECT: sql parser error: Expected: ${expected}, found: ${found ? tokenText(found) : 'EOF'}${at}`);
    };
    let table: TableRef;
    try {
      table = this.tableRef();
      // `SELECT * FROM ns.t alias`: a word after the table is its alias.
      const alias = this.peek();
      if (alias?.kind === 'word' && alias.upper !== 'WHERE' && alias.upper !== 'OPTIONS') this.position++;
      if (this.acceptWord('WHERE')) {
        if (!this.peek()) throw new SqlSyntaxError('unexpected end of statement', { expected: 'an expression' });
        this.condition();
      }
      const extra = this.peek();
      if (extra && !(extra.kind === 'word' && extra.upper === 'OPTIONS')) throw this.error(`unexpected ${describe(extra)}`, extra, 'end of statement');
    } catch (error) {
      return asSelect(error);
    }
    const end = this.peek();
    const last = this.tokens[this.position - 1]!;
    const query = this.source.slice(first.at, end ? end.at : last.at + tokenText(last).length).trim();
    const options: Record<string, Value> = {};
    if (this.acceptWord('OPTIONS')) {
      if (!this.acceptPunct('(')) throw new SqlSyntaxError('OPTIONS clause must be wrapped in parentheses, e.g., OPTIONS (last_rows=10)');
      do {
        const key = this.identifier().toLowerCase();
        if (!['last_rows', 'batch_size', 'from'].includes(key)) throw new SqlSyntaxError(`Unknown subscription option: '${key}'. Valid options are: last_rows, batch_size, from`);
        this.expectPunct('=');
        const value = this.next('a value');
        if (key !== 'from' && !(value.kind === 'number' && /^\d+$/.test(value.text))) throw new SqlSyntaxError(`Invalid ${key} value: ${tokenText(value)}`);
        options[key] = value.kind === 'number' ? Number(value.text) : value.kind === 'string' ? value.text : tokenText(value);
      } while (this.acceptPunct(','));
      this.expectPunct(')');
    }
    return { kind: 'subscribe', table, query, options };
  }

  private executeAsUser(): Statement {
    this.expectWord('AS');
    this.expectWord('USER');
    const userToken = this.next('a user name');
    if (userToken.kind !== 'string' && userToken.kind !== 'quoted' && userToken.kind !== 'word') {
      throw this.error(`expected a user name, found ${describe(userToken)}`, userToken);
    }
    this.expectPunct('(');
    const statement = this.parseStatement();
    this.expectPunct(')');
    if (statement.kind === 'execute-as-user') throw new SqlSyntaxError('EXECUTE AS USER cannot be nested');
    return { kind: 'execute-as-user', user: userToken.text, statement };
  }

  private condition(): Condition {
    let left = this.conjunction();
    while (this.acceptWord('OR')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.acceptWord('AND')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): Condition {
    if (this.acceptWord('NOT')) return { kind: 'not', condition: this.negation() };
    if (this.acceptPunct('(')) {
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const column = this.identifier();
    if (this.acceptWord('IS')) {
      const negated = this.acceptWord('NOT');
      this.expectWord('NULL');
      return { kind: 'is-null', column, negated };
    }
    const negatedIn = this.acceptWord('NOT');
    if (this.acceptWord('IN')) {
      this.expectPunct('(');
      const values: Value[] = [];
      do values.push(this.literal());
      while (this.acceptPunct(','));
      this.expectPunct(')');
      return { kind: 'in', column, values, negated: negatedIn };
    }
    if (negatedIn) throw this.error('expected IN after NOT');
    const operatorToken = this.next('a comparison operator');
    const operator = operatorToken.kind === 'punct' ? comparison(operatorToken.text) : undefined;
    if (!operator) throw this.error(`expected a comparison operator, found ${describe(operatorToken)}`, operatorToken);
    return { kind: 'compare', column, operator, value: this.literal() };
  }

  private literal(): Value {
    const token = this.next('a value');
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'string') return token.text;
    if (token.kind === 'param') {
      if (token.index < 1 || token.index > this.params.length) throw this.error(`parameter $${token.index} has no value`, token);
      return this.params[token.index - 1]!;
    }
    if (token.kind === 'punct' && (token.text === '-' || token.text === '+')) {
      const number = this.next('a number');
      if (number.kind !== 'number') throw this.error(`expected a number after '${token.text}'`, number);
      return token.text === '-' ? -Number(number.text) : Number(number.text);
    }
    if (token.kind === 'word') {
      if (token.upper === 'NULL') return null;
      if (token.upper === 'TRUE') return true;
      if (token.upper === 'FALSE') return false;
    }
    throw this.error(`expected a value, found ${describe(token)}`, token, 'an expression');
  }

  /** A WITH (...) option's value: a literal, or a bare word taken as written (KalamDB judges it: `TTL_SECONDS = abc`). */
  private optionValue(): string {
    const token = this.peek();
    if (token?.kind === 'word' && !isLiteralWord(token)) {
      this.position++;
      return token.text;
    }
    return String(this.literal());
  }

  /** The next name as written, up to a blank (KalamDB reads `CREATE NAMESPACE my-ns` whole, and judges it). */
  private nameAsWritten(missing: string): string {
    const first = this.peek();
    if (!first) throw new SqlSyntaxError(missing);
    const rest = this.source.slice(first.at);
    const end = rest.search(/[\s;]/);
    const text = end === -1 ? rest : rest.slice(0, end);
    while (this.peek() && this.peek()!.at < first.at + text.length) this.position++;
    return PLAIN_NAME.test(text) ? text.toLowerCase() : text;
  }

  private tableRef(): TableRef {
    const first = this.identifier();
    if (this.acceptPunct('.')) return { namespace: first, name: this.identifier() };
    return { name: first };
  }

  /** Unquoted identifiers fold to lower case (as in DataFusion); quoted ones keep their case. */
  private identifier(): string {
    const token = this.next('an identifier', 'identifier');
    if (token.kind === 'word') return token.text.toLowerCase();
    if (token.kind === 'quoted') return token.text;
    throw this.error(`expected an identifier, found ${describe(token)}`, token, 'identifier');
  }

  private nonNegativeInteger(what: string): number {
    const token = this.next(`a number for ${what}`);
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) throw this.error(`${what} must be a non-negative integer`, token);
    return Number(token.text);
  }

  /** `CREATE USER u` / `DROP USER u`, as opposed to `CREATE USER TABLE t`. */
  private atUserNotTable(): boolean {
    const [first, second] = [this.peek(), this.peekAt(1)];
    return first?.kind === 'word' && first.upper === 'USER' && !(second?.kind === 'word' && second.upper === 'TABLE');
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private peekAt(ahead: number): Token | undefined {
    return this.tokens[this.position + ahead];
  }

  private next(expected: string, sqlparserExpected = expected): Token {
    const token = this.tokens[this.position];
    if (!token) throw new SqlSyntaxError(`unexpected end of statement, expected ${expected}`, { expected: sqlparserExpected });
    this.position++;
    return token;
  }

  private acceptWord(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'word' && token.upper === word) {
      this.position++;
      return true;
    }
    return false;
  }

  private acceptWords(...words: string[]): boolean {
    const matches = words.every((word, offset) => {
      const token = this.peekAt(offset);
      return token?.kind === 'word' && token.upper === word;
    });
    if (matches) this.position += words.length;
    return matches;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) {
      const token = this.peek();
      throw this.error(`expected ${word}, found ${token ? describe(token) : 'end of statement'}`, token, word);
    }
  }

  private acceptPunct(text: string): boolean {
    const token = this.peek();
    if (token && isPunct(token, text)) {
      this.position++;
      return true;
    }
    return false;
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) {
      const token = this.peek();
      throw this.error(`expected '${text}', found ${token ? describe(token) : 'end of statement'}`, token, text);
    }
  }

  /** `expected` is sqlparser's wording of what was expected there (`identifier`, `end of statement`...). */
  private error(message: string, token: Token | undefined = this.peek(), expected = message): SqlSyntaxError {
    return new SqlSyntaxError(token ? `${message} (at position ${token.at})` : message, { expected, ...(token ? { found: token } : {}) });
  }
}

function isPunct(token: Token, text: string): boolean {
  return token.kind === 'punct' && token.text === text;
}

function isLiteralWord(token: Token): boolean {
  return token.kind === 'word' && (token.upper === 'NULL' || token.upper === 'TRUE' || token.upper === 'FALSE');
}

function comparison(text: string): ComparisonOperator | undefined {
  if (text === '!=') return '<>';
  return (['=', '<>', '<', '<=', '>', '>='] as const).find((operator) => operator === text);
}


function describe(token: Token): string {
  return token.kind === 'string' ? `string '${token.text}'` : `'${tokenText(token)}'`;
}
