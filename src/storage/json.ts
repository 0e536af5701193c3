/**
 * A small strict JSON parser that keeps integers exactly.
 *
 * `JSON.parse` turns every number into a double, so a 64-bit sequence number such as
 * 7301029571234567891 (KalamDB sequence ids are Snowflake-style i64 values) silently
 * becomes 7301029571234567000. Here integer literals outside the safe range come back
 * as `bigint`; everything else maps exactly like `JSON.parse` (duplicate keys: last wins).
 */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_DEPTH = 512;

export function parseJsonExact(text: string): JsonValue {
  let pos = 0;

  const where = (at: number): string => {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return `line ${line} column ${col}`;
  };
  const fail = (msg: string, at = pos): never => {
    throw new JsonSyntaxError(`${msg} at ${where(at)}`, at);
  };
  const skipWs = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };
  const describeAt = (): string => (pos >= text.length ? 'end of input' : JSON.stringify(text[pos]));

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        try {
          return JSON.parse(text.slice(start, pos)) as string;
        } catch {
          return fail('invalid string literal', start);
        }
      }
      if (c === 0x5c) pos += 2;
      else if (c < 0x20) fail('unescaped control character in string');
      else pos++;
    }
    return fail('unterminated string', start);
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipWs();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj: { [key: string]: JsonValue } = {};
      skipWs();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (text[pos] !== '"') fail(`expected a property name, got ${describeAt()}`);
        const key = parseString();
        skipWs();
        if (text[pos] !== ':') fail(`expected ':' after property name, got ${describeAt()}`);
        pos++;
        const value = parseValue(depth + 1);
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail(`expected ',' or '}' in object, got ${describeAt()}`);
      }
    }
    if (c === '[') {
      pos++;
      const arr: JsonValue[] = [];
      skipWs();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        fail(`expected ',' or ']' in array, got ${describeAt()}`);
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      const n = Number(m[0]);
      if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]);
      return n;
    }
    return fail(`unexpected ${describeAt()}`);
  };

  const value = parseValue(0);
  skipWs();
  if (pos < text.length) fail(`unexpected ${describeAt()} after the JSON value`);
  return value;
}

/** Compact JSON text in which bigints are written as plain integer literals, exactly. */
export function stringifyJsonExact(value: unknown): string {
  const marker = '__kalam_bigint__';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${v.toString()}${marker}` : v));
  return text.replace(new RegExp(`"${marker}(-?\\d+)${marker}"`, 'g'), '$1');
}
