import type { Scope, Violation, WorkloadViolationKind } from '../vocabulary/violations.js';

const SHOWN = 50;

/** Findings of one rule in one scope, gathered and then reported as a single violation. */
export interface RuleFindings {
  add(key: number | undefined, requestId: number | undefined): void;
}

/**
 * Gathers a cycle's findings by (rule, scope) so a thousand broken keys make one violation that
 * names the first 50 keys and requests and counts the rest.
 */
export function createViolationList(workload: string) {
  const groups = new Map<string, { kind: WorkloadViolationKind; scope: Scope; what: string; keys: Set<number>; requestIds: Set<number>; count: number }>();
  return {
    rule(kind: WorkloadViolationKind, scope: Scope, what: string): RuleFindings {
      const id = JSON.stringify([kind, scope.table, scope.partition, what]);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { kind, scope, what, keys: new Set(), requestIds: new Set(), count: 0 }));
      const found = group;
      return {
        add(key, requestId) {
          found.count++;
          if (key !== undefined) found.keys.add(key);
          if (requestId !== undefined) found.requestIds.add(requestId);
        },
      };
    },
    take(): Violation[] {
      const violations = [...groups.values()].map((group): Violation => {
        const keys = [...group.keys].sort((a, b) => a - b);
        const requestIds = [...group.requestIds].sort((a, b) => a - b);
        return {
          kind: group.kind,
          workload,
          table: group.scope.table,
          partition: group.scope.partition,
          keys: keys.slice(0, SHOWN),
          requestIds: requestIds.slice(0, SHOWN),
          detail: group.what,
          count: group.count,
        };
      });
      groups.clear();
      return violations;
    },
  };
}
