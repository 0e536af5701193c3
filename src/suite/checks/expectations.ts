import type { AnswerExpectation, CheckContext, Expectation } from '../types.js';
import type { Versioned } from '../versioned.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Refused with exactly this code and message (KalamDB's error). */
export function refused(code: string, message: string): AnswerExpectation {
  return { outcome: 'error', code, message: new RegExp(`^${escapeRegExp(message)}$`) };
}

/** Refused with this code and a message that contains `part`. */
export function refusedMentioning(code: string | undefined, part: string | RegExp): AnswerExpectation {
  return { outcome: 'error', ...(code ? { code } : {}), message: typeof part === 'string' ? new RegExp(escapeRegExp(part)) : part };
}

/** Refused, with any code and message: where KalamDB's own answer is wrong, a correct server's wording is not prescribed. */
export const REFUSED: AnswerExpectation = { outcome: 'error', message: /\S/ };

export function succeeded(message?: string, rows?: readonly (readonly unknown[])[]): AnswerExpectation {
  return { outcome: 'success', ...(message !== undefined ? { message: new RegExp(`^${escapeRegExp(message)}$`) } : {}), ...(rows ? { rows } : {}) };
}

export interface StatementCase {
  readonly sql: string | Versioned<string>;
  readonly expect: Expectation;
  /** What the case is about, for the problem text (default: the statement). */
  readonly what?: string;
}

/** Sends each case's statement as root and judges its answer; every case runs whatever the others did. */
export async function expectEach(ctx: CheckContext, cases: readonly StatementCase[]): Promise<void> {
  for (const entry of cases) {
    const sql = ctx.pick(entry.sql);
    const answer = await ctx.sql(sql);
    ctx.expect(answer, entry.expect, entry.what ?? sql);
  }
}

/** A namespace of the check's own, dropped (with its tables) when the check ends. */
export async function ownNamespace(ctx: CheckContext, base: string): Promise<string> {
  const namespace = ctx.name(base);
  ctx.require(await ctx.sql(`CREATE NAMESPACE ${namespace}`), { outcome: 'success' }, `creating the check's namespace ${namespace}`);
  ctx.cleanup(`DROP NAMESPACE IF EXISTS ${namespace} CASCADE`);
  return namespace;
}
