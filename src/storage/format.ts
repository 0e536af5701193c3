import type { Finding, Inspection } from './inspect.js';

export interface FormatOptions {
  /** Also print one line per scope (path, version, last sequence number, segments, rows). */
  scopes?: boolean;
}

function findingLine(f: Finding): string {
  const tag = f.severity === 'violation' ? 'VIOLATION' : 'warning  ';
  return `${tag} ${f.kind} ${f.path}: ${f.message}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One-line verdict: `storage: OK (3 scopes, 7 segments, 1234 rows)` or `storage: 2 violation(s), 1 warning(s)`. */
export function formatVerdict(inspection: Inspection): string {
  if (inspection.violations === 0 && inspection.warnings === 0) {
    const t = inspection.totals;
    return `storage: OK (${plural(t.scopes, 'scope')}, ${plural(t.segments, 'segment')}, ${plural(t.rows, 'row')})`;
  }
  return `storage: ${inspection.violations} violation(s), ${inspection.warnings} warning(s)`;
}

/**
 * Human-readable report: one line per finding (violations first, then warnings, each in
 * discovery order), optionally one line per scope, then the verdict line. No trailing newline.
 */
export function formatInspection(inspection: Inspection, options: FormatOptions = {}): string {
  const lines: string[] = [];
  if (options.scopes) {
    for (const s of inspection.scopes) {
      const who = s.userId === null ? 'shared' : `user ${s.userId}`;
      const version = s.version === null ? '?' : String(s.version);
      const seq = s.lastSequenceNumber ?? '?';
      lines.push(`scope ${s.path} (${who}): version ${version}, last_seq ${seq}, ${plural(s.segments, 'segment')}, ${plural(s.rows, 'row')}`);
    }
  }
  const ordered = [
    ...inspection.findings.filter((f) => f.severity === 'violation'),
    ...inspection.findings.filter((f) => f.severity === 'warning'),
  ];
  for (const f of ordered) lines.push(findingLine(f));
  lines.push(formatVerdict(inspection));
  return lines.join('\n');
}
