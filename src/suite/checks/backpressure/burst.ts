import type { Answer, CheckContext } from '../../types.js';
import { tally } from '../tally.js';

export interface BurstFigures {
  readonly queries: number;
  readonly succeeded: number;
  readonly successRate: number;
  readonly queriesPerSecond: number;
}

/**
 * Sends `statements` as root, `concurrency` at a time, as fast as the server answers; records the
 * answers counted by shape and reports queries/s and the success rate as figures (never judged
 * as timings). Returns each statement's answer, in order.
 */
export async function burst(ctx: CheckContext, statements: readonly string[], concurrency: number): Promise<{ answers: Answer[]; figures: BurstFigures }> {
  const answers: Answer[] = new Array<Answer>(statements.length);
  const shapes = tally('root');
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, statements.length) }, async () => {
      for (let index = next++; index < statements.length; index = next++) {
        ctx.signal?.throwIfAborted();
        answers[index] = await ctx.sqlUnrecorded(statements[index]!);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  statements.forEach((statement, index) => shapes.add(statement, answers[index]!));
  for (const entry of shapes.evidence()) ctx.record(entry);
  const succeeded = answers.filter((answer) => answer.kind === 'success').length;
  const figures: BurstFigures = {
    queries: statements.length,
    succeeded,
    successRate: Math.round((succeeded / statements.length) * 1000) / 1000,
    queriesPerSecond: Math.round((statements.length / Math.max(seconds, 0.001)) * 10) / 10,
  };
  for (const name of Object.keys(figures) as (keyof BurstFigures)[]) ctx.figure(name, figures[name]);
  return { answers, figures };
}

/** Every answer of a burst that was not the expected success becomes one problem (counted by message). */
export function expectAllSucceeded(ctx: CheckContext, answers: readonly Answer[], what: string, message?: (index: number) => string): void {
  const wrong = new Map<string, number>();
  answers.forEach((answer, index) => {
    const expected = message?.(index);
    const ok = answer.kind === 'success' && (expected === undefined || answer.message === expected);
    if (ok) return;
    const text = answer.kind === 'success' ? `the message "${answer.message ?? ''}" (expected "${expected}")` : `${answer.kind} ${answer.code ?? ''} ${answer.message ?? answer.reason ?? ''}`.trim();
    wrong.set(text, (wrong.get(text) ?? 0) + 1);
  });
  for (const [text, count] of wrong) ctx.problem(`${what}: ${count} of ${answers.length} answered ${text}`);
}
