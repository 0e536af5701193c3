/**
 * What the register checker remembers of every write, compactly: typed arrays per process,
 * indexed by the write's number in that process's sequence (its tag says both).
 */

export const WriteStatus = {
  NeverSent: 0,
  Pending: 1,
  Acknowledged: 2,
  Failed: 3,
  Indeterminate: 4,
  /** Acknowledged, but the server said it changed no row: it may or may not have applied. */
  AcknowledgedNoRow: 5,
} as const;
export type WriteStatus = (typeof WriteStatus)[keyof typeof WriteStatus];

export interface WriteLog {
  status(process: number, n: number): WriteStatus;
  /** The key slot the write targeted (-1 when unknown). */
  slot(process: number, n: number): number;
  requestId(process: number, n: number): number;
  /** History position of its response (acknowledged writes only). */
  completedAt(process: number, n: number): number;
  sent(process: number, n: number, slot: number, requestId: number): void;
  settle(process: number, n: number, status: WriteStatus, position: number): void;
}

interface ProcessWrites {
  status: Uint8Array;
  slot: Int32Array;
  requestId: Float64Array;
  completedAt: Float64Array;
}

const INITIAL_CAPACITY = 256;

export function createWriteLog(): WriteLog {
  const processes: ProcessWrites[] = [];
  const of = (process: number): ProcessWrites | undefined => processes[process];
  const ensure = (process: number, n: number): ProcessWrites => {
    let writes = processes[process];
    if (!writes) {
      writes = allocate(Math.max(INITIAL_CAPACITY, n + 1));
      processes[process] = writes;
    }
    if (n >= writes.status.length) {
      const grown = allocate(Math.max(writes.status.length * 2, n + 1));
      grown.status.set(writes.status);
      grown.slot.set(writes.slot);
      grown.requestId.set(writes.requestId);
      grown.completedAt.set(writes.completedAt);
      writes = grown;
      processes[process] = writes;
    }
    return writes;
  };
  const inRange = (process: number, n: number): ProcessWrites | undefined => {
    const writes = of(process);
    return writes && n < writes.status.length ? writes : undefined;
  };
  return {
    status: (process, n) => (inRange(process, n)?.status[n] ?? WriteStatus.NeverSent) as WriteStatus,
    slot: (process, n) => inRange(process, n)?.slot[n] ?? -1,
    requestId: (process, n) => inRange(process, n)?.requestId[n] ?? 0,
    completedAt: (process, n) => inRange(process, n)?.completedAt[n] ?? Number.NaN,
    sent(process, n, slot, requestId) {
      const writes = ensure(process, n);
      writes.status[n] = WriteStatus.Pending;
      writes.slot[n] = slot;
      writes.requestId[n] = requestId;
    },
    settle(process, n, status, position) {
      const writes = ensure(process, n);
      writes.status[n] = status;
      writes.completedAt[n] = position;
    },
  };
}

function allocate(capacity: number): ProcessWrites {
  const slot = new Int32Array(capacity);
  slot.fill(-1);
  return { status: new Uint8Array(capacity), slot, requestId: new Float64Array(capacity), completedAt: new Float64Array(capacity) };
}
