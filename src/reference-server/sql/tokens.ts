/** Tokens of the SQL subset the reference server understands. */
export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly upper: string; readonly at: number }
  | { readonly kind: 'quoted'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'number'; readonly text: string; readonly at: number }
  | { readonly kind: 'param'; readonly index: number; readonly at: number }
  | { readonly kind: 'punct'; readonly text: string; readonly at: number };

/** Where a statement stopped parsing: what was expected and the token found there (none: the end). */
export interface SyntaxErrorDetail {
  readonly expected: string;
  readonly found?: Token;
}

export class SqlSyntaxError extends Error {
  override name = 'SqlSyntaxError';
  /** Which statement of the batch (0-based) and its first words, set by parseBatch. */
  statement?: { readonly index: number; readonly words: readonly string[] };
  constructor(
    message: string,
    /** Absent: the message is KalamDB's own wording, to be answered as it is. */
    readonly detail?: SyntaxErrorDetail,
  ) {
    super(message);
  }
}

/** A token as sqlparser prints it in `found: X`. */
export function tokenText(token: Token): string {
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

const PUNCT = ['<>', '!=', '<=', '>=', '(', ')', ',', '.', ';', '*', '=', '<', '>', '-', '+'];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
      continue;
    }
    if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new SqlSyntaxError(`unterminated comment at position ${i}`);
      i = end + 2;
      continue;
    }
    if (char === "'" || char === '"') {
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new SqlSyntaxError(`unterminated ${char === "'" ? 'string literal' : 'quoted identifier'} at position ${start}`);
        if (sql[i] === char) {
          if (sql[i + 1] === char) {
            text += char;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i];
        i++;
      }
      tokens.push(char === "'" ? { kind: 'string', text, at: start } : { kind: 'quoted', text, at: start });
      continue;
    }
    const number = /^(\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/.exec(sql.slice(i, i + 64));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 256));
    if (word) {
      tokens.push({ kind: 'word', text: word[0], upper: word[0].toUpperCase(), at: i });
      i += word[0].length;
      continue;
    }
    const param = /^\$(\d+)/.exec(sql.slice(i, i + 16));
    if (param) {
      tokens.push({ kind: 'param', index: Number(param[1]), at: i });
      i += param[0].length;
      continue;
    }
    const punct = PUNCT.find((candidate) => sql.startsWith(candidate, i));
    if (punct) {
      tokens.push({ kind: 'punct', text: punct, at: i });
      i += punct.length;
      continue;
    }
    throw new SqlSyntaxError(`unexpected character '${char}' at position ${i}`);
  }
  return tokens;
}

/** Splits a token stream into statements at top-level semicolons; empty statements are dropped. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.text === '(') depth++;
    if (token.kind === 'punct' && token.text === ')') depth = Math.max(0, depth - 1);
    if (token.kind === 'punct' && token.text === ';' && depth === 0) {
      if (current.length > 0) statements.push(current);
      current = [];
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) statements.push(current);
  return statements;
}
