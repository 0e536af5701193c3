/** A request's outcome as a checker keeps it: one byte per request id. */
export const Outcome = { Unknown: 0, Pending: 1, Acknowledged: 2, Failed: 3, Indeterminate: 4 } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** A growable array of unsigned 32-bit numbers indexed by request id (0 where never set). */
function growableUint32() {
  let values = new Uint32Array(1024);
  return {
    set(index: number, value: number): void {
      if (index >= values.length) {
        let size = values.length;
        while (size <= index) size *= 2;
        const grown = new Uint32Array(size);
        grown.set(values);
        values = grown;
      }
      values[index] = value;
    },
    get: (index: number): number => values[index] ?? 0,
  };
}

/**
 * What a checker keeps of each request, in typed arrays indexed by request id: its outcome, its
 * cycle, its scope (an index the checker chose) and its keys. A million requests cost a few
 * megabytes and no garbage.
 */
export function createRequestTable() {
  const outcome = growableUint32();
  const cycle = growableUint32();
  const scope = growableUint32();
  const keyStart = growableUint32();
  const keyCount = growableUint32();
  let keys = new Float64Array(4096);
  let used = 0;
  return {
    add(requestId: number, at: { cycle: number; scope: number }, sent: readonly number[]): void {
      outcome.set(requestId, Outcome.Pending);
      cycle.set(requestId, at.cycle);
      scope.set(requestId, at.scope);
      if (used + sent.length > keys.length) {
        let size = keys.length;
        while (size < used + sent.length) size *= 2;
        const grown = new Float64Array(size);
        grown.set(keys);
        keys = grown;
      }
      keyStart.set(requestId, used);
      keyCount.set(requestId, sent.length);
      for (const key of sent) keys[used++] = key;
    },
    outcome: (requestId: number): Outcome => outcome.get(requestId) as Outcome,
    settle(requestId: number, settled: Outcome): void {
      outcome.set(requestId, settled);
    },
    cycle: (requestId: number): number => cycle.get(requestId),
    scope: (requestId: number): number => scope.get(requestId),
    keyCount: (requestId: number): number => keyCount.get(requestId),
    key: (requestId: number, index: number): number => keys[keyStart.get(requestId) + index]!,
    hasKey(requestId: number, key: number): boolean {
      const start = keyStart.get(requestId);
      const end = start + keyCount.get(requestId);
      for (let index = start; index < end; index++) if (keys[index] === key) return true;
      return false;
    },
  };
}

export type RequestTable = ReturnType<typeof createRequestTable>;

/** A request outcome of the history as the table keeps it. */
export function outcomeOf(settled: 'acknowledged' | 'failed' | 'indeterminate'): Outcome {
  return settled === 'acknowledged' ? Outcome.Acknowledged : settled === 'failed' ? Outcome.Failed : Outcome.Indeterminate;
}
