import type { Random } from '../util/random.js';
import type { KillTrigger, KillTriggerSpec } from '../vocabulary/faults.js';

export type { KillTrigger, KillTriggerSpec } from '../vocabulary/faults.js';

/** The whole run's schedule, fixed up front so the same seed gives the same schedule. */
export function planKillTriggers(spec: KillTriggerSpec, random: Random, cycles: number): KillTrigger[] {
  return Array.from({ length: cycles }, (): KillTrigger =>
    spec.kind === 'acks'
      ? { kind: 'after-acks', acks: random.int(spec.min, spec.max) }
      : { kind: 'after-delay', ms: random.int(spec.minMs, spec.maxMs) },
  );
}

export function describeTrigger(trigger: KillTrigger): string {
  return trigger.kind === 'after-acks' ? `after ${trigger.acks} acknowledged inserts` : `after ${trigger.ms} ms`;
}

/** Counts acknowledgements and resolves waiters the moment a threshold is reached (no polling). */
export interface AckCounter {
  add(count: number): void;
  value(): number;
  reached(threshold: number): Promise<void>;
}

export function createAckCounter(): AckCounter {
  let count = 0;
  const waiters: { threshold: number; resolve: () => void }[] = [];
  return {
    add(n) {
      count += n;
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i]!;
        if (count >= waiter.threshold) {
          waiters.splice(i, 1);
          waiter.resolve();
        }
      }
    },
    value: () => count,
    reached(threshold) {
      if (count >= threshold) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ threshold, resolve }));
    },
  };
}

/** Resolves when the trigger fires: after its delay, or once `acks` has counted enough. */
export function triggerFired(trigger: KillTrigger, acks: Pick<AckCounter, 'reached'>): { fired: Promise<void>; cancel(): void } {
  if (trigger.kind === 'after-acks') return { fired: acks.reached(trigger.acks), cancel: () => {} };
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, trigger.ms);
  });
  return { fired, cancel: () => clearTimeout(timer) };
}
