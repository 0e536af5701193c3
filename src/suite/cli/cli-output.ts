/** Reading what the kalam CLI printed: plain text out of a terminal's bytes, and its result lines. */

/** CSI sequences (colours, cursor moves, bracketed paste), OSC titles and the other escapes a terminal gets. */
// eslint-disable-next-line no-control-regex -- escape sequences are what it matches
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The text a reader would see, without escape sequences and carriage returns. */
export function plainText(output: string): string {
  return output.replace(ESCAPES, '').replace(/\r+\n/g, '\n').replace(/\r/g, '\n');
}

/** The row count of the CLI's table format footer, `(N rows)` / `(1 row)`; undefined without one. */
export function tableRowCount(output: string): number | undefined {
  const matches = [...plainText(output).matchAll(/^\((\d+) rows?\)$/gm)];
  const last = matches[matches.length - 1];
  return last ? Number(last[1]) : undefined;
}

/** The lines of `stderr` that start with `Error:` (how the CLI reports any failure). */
export function errorLines(stderr: string): string[] {
  return plainText(stderr)
    .split('\n')
    .filter((line) => line.startsWith('Error:'));
}

/** Parses CSV as the CLI writes it (RFC 4180 quoting), dropping the empty line it ends with. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const input = plainText(text);
  for (let i = 0; i < input.length; i++) {
    const char = input[i]!;
    if (quoted) {
      if (char === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => !(cells.length === 1 && cells[0] === ''));
}

/** Keeps evidence readable: at most `max` characters, the cut said. */
export function clip(text: string, max = 2_000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
