import type { ColumnSpec, ColumnTypeName, ComparisonOperator, Condition, OrderTerm, SelectItem, Statement, TableRef, Value } from './ast.js';
import { SqlSyntaxError, splitStatements, tokenize, type Token } from './tokens.js';

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

/** Parses a batch: statements separated by top-level semicolons. Throws SqlSyntaxError. */
export function parseBatch(sql: string, params: readonly Value[] = []): Statement[] {
  return splitStatements(tokenize(sql)).map((tokens) => new Parser(tokens, params).statement());
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly params: readonly Value[],
  ) {}

  statement(): Statement {
    const statement = this.parseStatement();
    const extra = this.peek();
    if (extra) throw this.error(`unexpected ${describe(extra)} after the end of the statement`);
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
    if (this.acceptWord('ALTER')) return this.alter();
    if (this.acceptWord('EXECUTE')) return this.executeAsUser();
    if (this.acceptWord('STORAGE')) {
      this.expectWord('FLUSH');
      return this.flush();
    }
    if (this.acceptWord('FLUSH')) return this.flush();
    throw this.error(`unsupported statement starting with ${describe(first)}`);
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
    const token = this.peek();
    const after = this.peekAt(1);
    if (token?.kind === 'word' && token.upper === 'COUNT' && after && isPunct(after, '(')) {
      this.position += 2;
      this.expectPunct('*');
      this.expectPunct(')');
      return { kind: 'count-star' };
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
    const assignments: { column: string; value: Value }[] = [];
    do {
      const column = this.identifier();
      this.expectPunct('=');
      assignments.push({ column, value: this.literal() });
    } while (this.acceptPunct(','));
    const where = this.acceptWord('WHERE') ? this.condition() : undefined;
    return { kind: 'update', table, assignments, ...(where ? { where } : {}) };
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
      return { kind: 'create-namespace', name: this.identifier(), ifNotExists };
    }
    if (this.atUserStatement()) return this.createUser();
    let typeKeyword: string | undefined;
    for (const candidate of ['USER', 'SHARED', 'STREAM']) {
      if (this.acceptWord(candidate)) typeKeyword = candidate;
    }
    this.expectWord('TABLE');
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
        columns.push(this.columnSpec());
      }
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    const options: Record<string, string> = {};
    if (typeKeyword) options.TYPE = typeKeyword;
    if (this.acceptWord('WITH')) {
      this.expectPunct('(');
      do {
        const key = this.identifier().toUpperCase();
        this.expectPunct('=');
        const value = this.literal();
        options[key] = String(value);
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
    if (this.atUserStatement()) {
      this.expectWord('USER');
      const ifExists = this.acceptWords('IF', 'EXISTS');
      return { kind: 'drop-user', name: this.userName(), ifExists };
    }
    for (const candidate of ['USER', 'SHARED', 'STREAM']) this.acceptWord(candidate);
    this.expectWord('TABLE');
    const ifExists = this.acceptWords('IF', 'EXISTS');
    return { kind: 'drop-table', table: this.tableRef(), ifExists };
  }

  /** `USER` followed by anything but TABLE names a user (`CREATE USER TABLE` is a table). */
  private atUserStatement(): boolean {
    const token = this.peek();
    const after = this.peekAt(1);
    return token?.kind === 'word' && token.upper === 'USER' && !(after?.kind === 'word' && after.upper === 'TABLE');
  }

  private createUser(): Statement {
    this.expectWord('USER');
    const name = this.userName();
    this.expectWord('WITH');
    this.expectWord('PASSWORD');
    const password = this.next('a password');
    if (password.kind !== 'string') throw this.error(`expected a quoted password, found ${describe(password)}`, password);
    let role = 'user';
    if (this.acceptWord('ROLE')) role = this.identifier();
    return { kind: 'create-user', name, password: password.text, role };
  }

  private userName(): string {
    const token = this.next('a user name');
    if (token.kind === 'string' || token.kind === 'quoted') return token.text;
    if (token.kind === 'word') return token.text.toLowerCase();
    throw this.error(`expected a user name, found ${describe(token)}`, token);
  }

  private alter(): Statement {
    this.expectWord('TABLE');
    const table = this.tableRef();
    this.expectWord('ADD');
    this.acceptWord('COLUMN');
    return { kind: 'alter-table-add-column', table, column: this.columnSpec() };
  }

  private flush(): Statement {
    if (this.acceptWord('TABLE')) return { kind: 'flush', table: this.tableRef() };
    this.expectWord('ALL');
    if (this.acceptWord('IN')) return { kind: 'flush', namespace: this.identifier() };
    return { kind: 'flush' };
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
    throw this.error(`expected a value, found ${describe(token)}`, token);
  }

  private tableRef(): TableRef {
    const first = this.identifier();
    if (this.acceptPunct('.')) return { namespace: first, name: this.identifier() };
    return { name: first };
  }

  /** Unquoted identifiers fold to lower case (as in DataFusion); quoted ones keep their case. */
  private identifier(): string {
    const token = this.next('an identifier');
    if (token.kind === 'word') return token.text.toLowerCase();
    if (token.kind === 'quoted') return token.text;
    throw this.error(`expected an identifier, found ${describe(token)}`, token);
  }

  private nonNegativeInteger(what: string): number {
    const token = this.next(`a number for ${what}`);
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) throw this.error(`${what} must be a non-negative integer`, token);
    return Number(token.text);
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private peekAt(ahead: number): Token | undefined {
    return this.tokens[this.position + ahead];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.position];
    if (!token) throw new SqlSyntaxError(`unexpected end of statement, expected ${expected}`);
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
      throw this.error(`expected ${word}, found ${token ? describe(token) : 'end of statement'}`);
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
      throw this.error(`expected '${text}', found ${token ? describe(token) : 'end of statement'}`);
    }
  }

  private error(message: string, token: Token | undefined = this.peek()): SqlSyntaxError {
    return new SqlSyntaxError(token ? `${message} (at position ${token.at})` : message);
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

function tokenText(token: Token): string {
  switch (token.kind) {
    case 'string':
      return `'${token.text}'`;
    case 'quoted':
      return `"${token.text}"`;
    case 'param':
      return `$${token.index}`;
    default:
      return token.text;
  }
}

function describe(token: Token): string {
  return token.kind === 'string' ? `string '${token.text}'` : `'${tokenText(token)}'`;
}
