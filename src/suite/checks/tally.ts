import type { Answer, Evidence } from '../types.js';

/** Answers of the same shape, counted: the evidence of bulk traffic (the first of each shape is kept). */
export function tally(session: string): { add(statement: string, answer: Answer): void; evidence(): Evidence[] } {
  const seen = new Map<string, Evidence & { repeated: number }>();
  return {
    add(statement, answer) {
      const key = `${answer.kind}|${answer.code ?? ''}|${answer.kind === 'success' ? JSON.stringify(answer.rows) : (answer.message ?? answer.reason ?? '').replace(/\d+/g, '#')}`;
      const entry = seen.get(key);
      if (entry) entry.repeated++;
      else seen.set(key, { statement, session, answer, repeated: 1 });
    },
    evidence: () => [...seen.values()],
  };
}
