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

  describe('ALTER TABLE and users', () => {
    it('parses ADD COLUMN, CREATE USER and DROP USER, and keeps CREATE USER TABLE a table', () => {
      expect(parseBatch('ALTER TABLE ns.t ADD COLUMN c1 TEXT')).to.deep.equal([
        { kind: 'alter-table-add-column', table: { namespace: 'ns', name: 't' }, column: { name: 'c1', type: 'Text', primaryKey: false, nullable: true } },
      ]);
      expect(parseBatch("CREATE USER u1 WITH PASSWORD 'pw' ROLE user")).to.deep.equal([{ kind: 'create-user', name: 'u1', password: 'pw', role: 'user' }]);
      expect(parseBatch('DROP USER u1')).to.deep.equal([{ kind: 'drop-user', name: 'u1', ifExists: false }]);
      expect(parseBatch('CREATE USER TABLE t (id BIGINT PRIMARY KEY)')[0]).to.include({ kind: 'create-table' });
      expect(parseBatch('DROP USER TABLE t')[0]).to.include({ kind: 'drop-table' });
    });
  });

  describe('errors', () => {
    it('unsupported statement', () => {
      expect(syntaxError('GRANT ALL ON t TO bob').message).to.match(/unsupported statement/i);
      expect(syntaxError('TRUNCATE TABLE t').message).to.match(/unsupported statement/i);
      expect(syntaxError('ALTER TABLE t DROP COLUMN x').message).to.match(/expected ADD/);
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
