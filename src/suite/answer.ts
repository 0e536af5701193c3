import type { SqlOutcome } from '../client/sql-client.js';
import { clip, plainText } from './cli/cli-output.js';
import { MAX_EVIDENCE_ROWS, type Answer, type AnswerExpectation, type CliRun } from './types.js';

/** The answer as the suite keeps it: the last statement's result, its first rows. */
export function answerOf(outcome: SqlOutcome, ms: number): Answer {
  const took = Math.round(ms * 10) / 10;
  switch (outcome.kind) {
    case 'success': {
      const last = outcome.results[outcome.results.length - 1];
      const rows = last?.rows ?? [];
      return {
        kind: 'success',
        rowCount: last?.row_count ?? 0,
        ...(last?.message !== undefined ? { message: last.message } : {}),
        ...(last?.schema ? { columns: last.schema.map((column) => column.name) } : {}),
        ...(last?.rows ? { rows: rows.slice(0, MAX_EVIDENCE_ROWS) } : {}),
        ms: took,
      };
    }
    case 'error':
      return { kind: 'error', httpStatus: outcome.httpStatus, code: outcome.code, message: outcome.message, ms: took };
    case 'indeterminate':
    case 'refused':
      return { kind: outcome.kind, reason: outcome.reason, ms: took };
  }
}

/** A request the tool could not complete (a login that failed, a connection it could not open). */
export function unansweredOf(error: unknown, ms: number): Answer {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = error instanceof Error ? error.message : String(error);
  return { kind: code === 'ECONNREFUSED' || /ECONNREFUSED/.test(reason) ? 'refused' : 'indeterminate', reason, ms: Math.round(ms * 10) / 10 };
}

/** A CLI run as evidence: success is exit 0; what it printed, as plain text. */
export function cliAnswerOf(run: CliRun): Answer {
  const reason = run.timedOut ? 'killed at its deadline' : run.signal ? `ended by ${run.signal}` : undefined;
  return {
    kind: run.exitCode === 0 ? 'success' : run.exitCode === undefined ? 'indeterminate' : 'error',
    ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
    stdout: clip(plainText(run.stdout).trim()),
    stderr: clip(plainText(run.stderr).trim()),
    ...(reason ? { reason } : {}),
    ms: Math.round(run.ms * 10) / 10,
  };
}

function describeProcess(answer: Answer): string {
  const status = answer.exitCode !== undefined ? `exit ${answer.exitCode}` : `no exit code (${answer.reason ?? answer.kind})`;
  return [status, answer.stderr ? `stderr: ${answer.stderr}` : '', answer.stdout ? `stdout: ${answer.stdout}` : ''].filter(Boolean).join('\n');
}

export function describeAnswer(answer: Answer): string {
  if (answer.stdout !== undefined || answer.stderr !== undefined) return describeProcess(answer);
  switch (answer.kind) {
    case 'success':
      return `success (${answer.rowCount ?? 0} row(s)${answer.message ? `: ${answer.message}` : ''})`;
    case 'error':
      return `error ${answer.code ?? '?'}${answer.httpStatus !== undefined ? ` (HTTP ${answer.httpStatus})` : ''}: ${answer.message ?? ''}`;
    default:
      return `no answer (${answer.kind}: ${answer.reason ?? ''})`;
  }
}

function describeExpected(expected: AnswerExpectation): string {
  if (expected.outcome === 'success') return `success${expected.message ? ` with a message matching ${String(expected.message)}` : ''}`;
  return `an error${expected.code ? ` ${expected.code}` : ''}${expected.message ? ` matching ${String(expected.message)}` : ''}`;
}

/** Why `answer` does not meet `expected`, or undefined when it does. */
export function mismatchOf(answer: Answer, expected: AnswerExpectation): string | undefined {
  const wanted = describeExpected(expected);
  if (expected.outcome === 'success') {
    if (answer.kind !== 'success') return `expected ${wanted}, got ${describeAnswer(answer)}`;
    if (expected.message && !expected.message.test(answer.message ?? '')) return `expected ${wanted}, got the message "${answer.message ?? ''}"`;
    if (expected.rows && JSON.stringify(answer.rows ?? []) !== JSON.stringify(expected.rows)) {
      return `expected the rows ${JSON.stringify(expected.rows)}, got ${JSON.stringify(answer.rows ?? [])}`;
    }
    return undefined;
  }
  if (answer.kind !== 'error') return `expected ${wanted}, got ${describeAnswer(answer)}`;
  if (expected.code && answer.code !== expected.code) return `expected ${wanted}, got ${describeAnswer(answer)}`;
  if (expected.message && !expected.message.test(answer.message ?? '')) return `expected ${wanted}, got ${describeAnswer(answer)}`;
  return undefined;
}

/** Statements keep their shape in the evidence, never a password. */
export function redactStatement(statement: string): string {
  return statement.replace(/(PASSWORD\s+)'(?:[^']|'')*'/gi, "$1'[redacted]'");
}
