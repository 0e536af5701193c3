import { expect } from 'chai';
import { parseBatch, SqlSyntaxError } from '../../src/reference-server/sql/parser.js';
import type { Statement } from '../../src/reference-server/sql/ast.js';

function parseOne(sql: string, params: Parameters<typeof parseBatch>[1] = []): Statement {
  const statements = parseBatch(sql, params);
  expect(statements, `one statement from ${sql}`).to.have.length(1);
  return statements[0]!;
}

function syntaxError(sql: string, params: Parameters<typeof parseBatch>[1] = []): SqlSyntaxError {
  try {
    parseBatch(sql, params);
  } catch (error) {
    expect(error, `error thrown for ${sql}`).to.be.instanceOf(SqlSyntaxError);
    expect((error as Error).message).to.be.a('string').and.not.equal('');
    return error as SqlSyntaxError;
  }
  expect.fail(`expected a SqlSyntaxError for: ${sql}`);
}

describe('reference server SQL parser', () => {
  describe('statements a harness sends', () => {
    it('CREATE NAMESPACE IF NOT EXISTS', () => {
      expect(parseOne('CREATE NAMESPACE IF NOT EXISTS chaos')).to.deep.equal({ kind: 'create-namespace', name: 'chaos', ifNotExists: true });
      expect(parseOne('create namespace Chaos')).to.deep.equal({ kind: 'create-namespace', name: 'chaos', ifNotExists: false });
    });

    it('CREATE NAMESPACE keeps a name that is no plain identifier as written, for the executor to refuse', () => {
      expect(parseOne('CREATE NAMESPACE my-ns')).to.deep.equal({ kind: 'create-namespace', name: 'my-ns', ifNotExists: false });
      expect(parseOne('CREATE NAMESPACE "a.b"')).to.deep.equal({ kind: 'create-namespace', name: '"a.b"', ifNotExists: false });
      expect(parseOne('CREATE NAMESPACE 123-start;')).to.deep.equal({ kind: 'create-namespace', name: '123-start', ifNotExists: false });
      expect(syntaxError('CREATE NAMESPACE my ns').message).to.match(/after the end of the statement/);
    });

    it('SELECT items with AS aliases; ALTER TABLE ... DROP COLUMN; option values as bare words', () => {
      expect(parseOne('SELECT 1 AS test_value')).to.deep.equal({ kind: 'select', items: [{ kind: 'literal', value: 1, text: '1', alias: 'test_value' }], orderBy: [] });
      expect(parseOne('SELECT COUNT(*) AS count FROM t')).to.deep.include({ items: [{ kind: 'count-star', alias: 'count' }] });
      expect(parseOne('SELECT id AS k, v FROM t')).to.deep.include({ items: [{ kind: 'column', name: 'id', alias: 'k' }, { kind: 'column', name: 'v' }] });
      expect(parseOne('ALTER TABLE p.t DROP COLUMN c')).to.deep.equal({ kind: 'alter-table-drop-column', table: { namespace: 'p', name: 't' }, column: 'c' });
      expect(parseOne("CREATE TABLE t (id TEXT PRIMARY KEY) WITH (TYPE = 'STREAM', TTL_SECONDS = abc)")).to.deep.include({ options: { TYPE: 'STREAM', TTL_SECONDS: 'abc' } });
    });

    it('DROP NAMESPACE IF EXISTS x CASCADE', () => {
      expect(parseOne('DROP NAMESPACE IF EXISTS x CASCADE')).to.deep.equal({ kind: 'drop-namespace', name: 'x', ifExists: true, cascade: true });
      expect(parseOne('DROP NAMESPACE x')).to.deep.equal({ kind: 'drop-namespace', name: 'x', ifExists: false, cascade: false });
    });

    it("CREATE TABLE ... WITH (TYPE='USER', FLUSH_POLICY='rows:100')", () => {
      const sql = `CREATE TABLE IF NOT EXISTS chaos.events (
        id BIGINT PRIMARY KEY,
        payload TEXT NOT NULL,
        note VARCHAR(20) DEFAULT 'none',
        ok BOOLEAN
      ) WITH (TYPE='USER', flush_policy='rows:100')`;
      expect(parseOne(sql)).to.deep.equal({
        kind: 'create-table',
        table: { namespace: 'chaos', name: 'events' },
        ifNotExists: true,
        columns: [
          { name: 'id', type: 'BigInt', primaryKey: true, nullable: false },
          { name: 'payload', type: 'Text', primaryKey: false, nullable: false },
          { name: 'note', type: 'Text', primaryKey: false, nullable: true, defaultValue: 'none' },
          { name: 'ok', type: 'Boolean', primaryKey: false, nullable: true },
        ],
        options: { TYPE: 'USER', FLUSH_POLICY: 'rows:100' },
      });
    });

    it('CREATE USER TABLE with a table-level PRIMARY KEY', () => {
      expect(parseOne('CREATE USER TABLE t (id INT, v DOUBLE, PRIMARY KEY (id))')).to.deep.equal({
        kind: 'create-table',
        table: { name: 't' },
        ifNotExists: false,
        columns: [
          { name: 'id', type: 'Int', primaryKey: true, nullable: false },
          { name: 'v', type: 'Double', primaryKey: false, nullable: true },
        ],
        options: { TYPE: 'USER' },
      });
    });

    it("multi-row INSERT with quotes 'it''s', negatives, NULL and booleans", () => {
      expect(parseOne("INSERT INTO chaos.events (id, payload, ok) VALUES (1, 'it''s', TRUE), (-2, 'a;b', NULL), (3, '', false)")).to.deep.equal({
        kind: 'insert',
        table: { namespace: 'chaos', name: 'events' },
        columns: ['id', 'payload', 'ok'],
        rows: [
          [1, "it's", true],
          [-2, 'a;b', null],
          [3, '', false],
        ],
      });
    });

    it('SELECT COUNT(*)', () => {
      expect(parseOne('SELECT COUNT(*) FROM chaos.events')).to.deep.equal({
        kind: 'select',
        items: [{ kind: 'count-star' }],
        from: { namespace: 'chaos', name: 'events' },
        orderBy: [],
      });
    });

    it('SELECT id, payload ... WHERE id >= 5 AND id IN (1,2) ORDER BY id DESC LIMIT 10 OFFSET 20', () => {
      expect(parseOne('SELECT id, payload FROM chaos.events WHERE id >= 5 AND id IN (1,2) ORDER BY id DESC LIMIT 10 OFFSET 20')).to.deep.equal({
        kind: 'select',
        items: [
          { kind: 'column', name: 'id' },
          { kind: 'column', name: 'payload' },
        ],
        from: { namespace: 'chaos', name: 'events' },
        where: {
          kind: 'and',
          left: { kind: 'compare', column: 'id', operator: '>=', value: 5 },
          right: { kind: 'in', column: 'id', values: [1, 2], negated: false },
        },
        orderBy: [{ column: 'id', descending: true }],
        limit: 10,
        offset: 20,
      });
    });

    it('SELECT * with OR, NOT IN, IS NOT NULL and != ', () => {
      const statement = parseOne('SELECT * FROM t WHERE a != 1 OR b NOT IN (2) AND c IS NOT NULL');
      expect(statement).to.deep.equal({
        kind: 'select',
        items: [{ kind: 'star' }],
        from: { name: 't' },
        where: {
          kind: 'or',
          left: { kind: 'compare', column: 'a', operator: '<>', value: 1 },
          right: {
            kind: 'and',
            left: { kind: 'in', column: 'b', values: [2], negated: true },
            right: { kind: 'is-null', column: 'c', negated: true },
          },
        },
        orderBy: [],
      });
    });

    it("EXECUTE AS USER 'alice' (INSERT ...)", () => {
      expect(parseOne("EXECUTE AS USER 'alice' (INSERT INTO chaos.events (id, payload) VALUES (7, 'x'))")).to.deep.equal({
        kind: 'execute-as-user',
        user: 'alice',
        statement: { kind: 'insert', table: { namespace: 'chaos', name: 'events' }, columns: ['id', 'payload'], rows: [[7, 'x']] },
      });
      expect(parseOne("EXECUTE AS USER 'bob' (SELECT id FROM chaos.events)")).to.deep.equal({
        kind: 'execute-as-user',
        user: 'bob',
        statement: { kind: 'select', items: [{ kind: 'column', name: 'id' }], from: { namespace: 'chaos', name: 'events' }, orderBy: [] },
      });
    });

    it('substitutes params $1, $2', () => {
      expect(parseOne('INSERT INTO t (id, payload) VALUES ($1, $2)', [42, "o'k"])).to.deep.equal({
        kind: 'insert',
        table: { name: 't' },
        columns: ['id', 'payload'],
        rows: [[42, "o'k"]],
      });
      expect(parseOne('SELECT id FROM t WHERE id = $1', [9])).to.deep.include({ where: { kind: 'compare', column: 'id', operator: '=', value: 9 } });
    });

    it('UPDATE and DELETE', () => {
      expect(parseOne("UPDATE t SET payload = 'y' WHERE id = 1")).to.deep.equal({
        kind: 'update',
        table: { name: 't' },
        assignments: [{ column: 'payload', value: 'y' }],
        where: { kind: 'compare', column: 'id', operator: '=', value: 1 },
      });
      expect(parseOne('DELETE FROM ns.t')).to.deep.equal({ kind: 'delete', table: { namespace: 'ns', name: 't' } });
    });

    it('UPDATE with arithmetic: column op literal, literal op column, mixed with literals', () => {
      const update = parseOne("UPDATE t SET n = n + 1, m = 2 * m, k = k - 3, v = 'x' WHERE id = 1");
      expect(update).to.deep.include({
        assignments: [
          { column: 'n', arithmetic: { left: { kind: 'column', name: 'n' }, operator: '+', right: { kind: 'value', value: 1 } } },
          { column: 'm', arithmetic: { left: { kind: 'value', value: 2 }, operator: '*', right: { kind: 'column', name: 'm' } } },
          { column: 'k', arithmetic: { left: { kind: 'column', name: 'k' }, operator: '-', right: { kind: 'value', value: 3 } } },
          { column: 'v', value: 'x' },
        ],
      });
      expect(parseOne('UPDATE t SET n = -2 WHERE id = 1')).to.deep.include({ assignments: [{ column: 'n', value: -2 }] });
    });

    it('ALTER TABLE ADD [COLUMN]', () => {
      expect(parseOne('ALTER TABLE ns.t ADD COLUMN c TEXT')).to.deep.equal({
        kind: 'alter-table-add-column',
        table: { namespace: 'ns', name: 't' },
        column: { name: 'c', type: 'Text', primaryKey: false, nullable: true },
      });
      expect(parseOne('ALTER TABLE t ADD d BIGINT DEFAULT 7')).to.deep.include({ column: { name: 'd', type: 'BigInt', primaryKey: false, nullable: true, defaultValue: 7 } });
    });

    it('CREATE USER / DROP USER, with the binary\'s parser errors', () => {
      expect(parseOne("CREATE USER Bob WITH PASSWORD 'pw' ROLE User")).to.deep.equal({ kind: 'create-user', user: 'Bob', password: 'pw', role: 'user' });
      expect(parseOne("CREATE USER 'u3' WITH PASSWORD 'pw' ROLE 'dba'")).to.deep.include({ user: 'u3', role: 'dba' });
      expect(parseOne('DROP USER IF EXISTS bob')).to.deep.equal({ kind: 'drop-user', user: 'bob', ifExists: true });
      expect(parseOne('CREATE USER TABLE t (id BIGINT PRIMARY KEY)')).to.deep.include({ kind: 'create-table', options: { TYPE: 'USER' } });
      expect(syntaxError("CREATE USER u WITH PASSWORD 'pw'").message).to.equal('Expected ROLE keyword. Hint: ROLE is required: ... ROLE dba');
      expect(syntaxError("CREATE USER u PASSWORD 'pw'").message).to.equal('Expected WITH after username. Hint: Syntax: CREATE USER username WITH PASSWORD|OAUTH|INTERNAL ...');
    });
  });

  describe('batches', () => {
    it("splits at top-level ';' only, never inside string literals", () => {
      const statements = parseBatch("INSERT INTO t (id, p) VALUES (1, 'a;b'), (2, ';'); SELECT id FROM t WHERE p = 'x;y';;  ");
      expect(statements).to.have.length(2);
      expect(statements[0]).to.deep.include({ kind: 'insert', rows: [[1, 'a;b'], [2, ';']] });
      expect(statements[1]).to.deep.include({ kind: 'select', where: { kind: 'compare', column: 'p', operator: '=', value: 'x;y' } });
    });

    it('ignores comments and returns no statements for an empty batch', () => {
      expect(parseBatch('  ;  ')).to.deep.equal([]);
      expect(parseBatch('-- just a comment\n/* and ; another */')).to.deep.equal([]);
      expect(parseBatch('SELECT 1 -- trailing; comment')).to.have.length(1);
    });
  });

  describe('errors', () => {
    it('unsupported statement', () => {
      expect(syntaxError('GRANT ALL ON t TO bob').message).to.match(/unsupported statement/i);
      expect(syntaxError('ALTER TABLE t RENAME COLUMN x TO y').message).to.match(/expected ADD/i);
    });

    it('says what it expected and the token it found, or the end (for KalamDB-worded answers)', () => {
      const found = (sql: string) => {
        const error = syntaxError(sql);
        return { expected: error.detail?.expected, found: error.detail?.found ? { text: 'text' in error.detail.found ? error.detail.found.text : '', at: error.detail.found.at } : 'EOF', statement: error.statement };
      };
      expect(found('SELEC * FROM t')).to.deep.equal({ expected: 'an SQL statement', found: { text: 'SELEC', at: 0 }, statement: { index: 0, words: ['SELEC', '', 'FROM'] } });
      expect(found('SELECT * FORM t')).to.include({ expected: 'end of statement' }).and.to.have.deep.property('found', { text: 'FORM', at: 9 });
      expect(found('SELECT * FROM')).to.include({ expected: 'identifier', found: 'EOF' });
      expect(found('SELECT 1; CREATE TABLE (id INT)')).to.deep.include({ expected: 'identifier', found: { text: '(', at: 23 }, statement: { index: 1, words: ['CREATE', 'TABLE', ''] } });
      expect(found('CREATE BOGUS TABLE t (id INT)')).to.include({ expected: 'an object type after CREATE' });
    });

    it('refuses duplicate columns (any case) and two primary keys with KalamDB\'s wording', () => {
      expect(syntaxError('CREATE TABLE t (id BIGINT PRIMARY KEY, a TEXT, A INT)').message).to.equal("Invalid CREATE TABLE statement: Duplicate column name 'A'. Column names are case-insensitive.");
      expect(syntaxError('CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT PRIMARY KEY)').message).to.equal('Invalid CREATE TABLE statement: Multiple PRIMARY KEY definitions found');
      expect(syntaxError('STORAGE FLUSH TABLE t').message).to.equal('Table name must be qualified (namespace.table) for STORAGE FLUSH TABLE');
      expect(syntaxError('CREATE NAMESPACE ').message).to.equal('Entity name is required after CREATE NAMESPACE');
    });

    it('unterminated string literal', () => {
      expect(syntaxError("INSERT INTO t VALUES (1, 'it''s)").message).to.match(/unterminated string/i);
      expect(syntaxError("SELECT 'abc").message).to.match(/unterminated string/i);
    });

    it('trailing garbage after a statement', () => {
      expect(syntaxError('SELECT id FROM t garbage').message).to.match(/after the end of the statement/);
      expect(syntaxError('DROP NAMESPACE x CASCADE please').message).to.match(/after the end of the statement/);
      expect(syntaxError("INSERT INTO t VALUES (1) 'x'").message).to.match(/after the end of the statement/);
    });

    it('other malformed input', () => {
      expect(syntaxError('SELECT id FROM').message).to.match(/unexpected end of statement/);
      expect(syntaxError('SELECT id FROM t LIMIT -1').message).to.match(/LIMIT/);
      expect(syntaxError('CREATE TABLE t (id BLOB PRIMARY KEY)').message).to.match(/unsupported column type/);
      expect(syntaxError('SELECT id FROM t WHERE id = $2', [1]).message).to.match(/\$2/);
      expect(syntaxError('SELECT # FROM t').message).to.match(/unexpected character/);
      expect(syntaxError("EXECUTE AS USER 'a' (EXECUTE AS USER 'b' (SELECT 1))").message).to.match(/nested/);
    });
  });
});

describe('reference server SQL parser: SUBSCRIBE TO (as kalamdb-server 0.4.3-rc.4 parses it)', () => {
  it('keeps the table and WHERE as written, and the OPTIONS apart', () => {
    expect(parseOne('subscribe to sx.msgs   WHERE id > 5 OPTIONS (last_rows=10, batch_size=2)')).to.deep.equal({
      kind: 'subscribe',
      table: { namespace: 'sx', name: 'msgs' },
      query: 'sx.msgs   WHERE id > 5',
      options: { last_rows: 10, batch_size: 2 },
    });
    expect(parseOne('SUBSCRIBE TO msgs;')).to.deep.equal({ kind: 'subscribe', table: { name: 'msgs' }, query: 'msgs', options: {} });
  });

  it('refuses in KalamDB words, positions counted in the SELECT it rewrites the statement to', () => {
    expect(syntaxError('SUBSCRIBE TO').message).to.equal("Expected 'SUBSCRIBE TO' command");
    expect(syntaxError('SUBSCRIBE TO sx.msgs WHERE').message).to.equal('Failed to parse SUBSCRIBE TO as SELECT: sql parser error: Expected: an expression, found: EOF');
    expect(syntaxError('SUBSCRIBE TO sx.msgs extra junk').message).to.equal('Failed to parse SUBSCRIBE TO as SELECT: sql parser error: Expected: end of statement, found: junk at Line: 1, Column: 29');
    expect(syntaxError('SUBSCRIBE TO sx.msgs OPTIONS last_rows=1').message).to.equal('OPTIONS clause must be wrapped in parentheses, e.g., OPTIONS (last_rows=10)');
    expect(syntaxError('SUBSCRIBE TO sx.msgs OPTIONS (bogus=1)').message).to.equal("Unknown subscription option: 'bogus'. Valid options are: last_rows, batch_size, from");
    expect(syntaxError('SUBSCRIBE TO sx.msgs OPTIONS (last_rows=abc)').message).to.equal('Invalid last_rows value: abc');
  });
});
