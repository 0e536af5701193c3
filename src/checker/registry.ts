import type { CheckerDefinition } from '../run/seams.js';
import type { CheckName, WorkloadName } from '../vocabulary/scenario.js';
import { workloadDefinition } from '../workload/registry.js';
import { acknowledgedWrites } from './acknowledged-writes/index.js';
import { availability } from './availability/index.js';
import { coverage } from './coverage/index.js';
import { flushStuck } from './flush-stuck/index.js';
import { metadata } from './metadata/index.js';
import { recovery } from './recovery/index.js';
import { recoveryOutcome } from './recovery-outcome/index.js';
import { segmentImmutability } from './segment-immutability/index.js';
import { storage } from './storage/index.js';
import { tableUnavailable } from './table-unavailable/index.js';
import { upgradeOutcome } from './upgrade-outcome/index.js';

/** Every checker by name. A scenario lists the optional ones; ALWAYS_ON run in every campaign. */
export const CHECKERS: Readonly<Record<CheckName | 'coverage', CheckerDefinition>> = {
  'acknowledged-writes': acknowledgedWrites,
  metadata,
  storage,
  'table-unavailable': tableUnavailable,
  'flush-stuck': flushStuck,
  'segment-immutability': segmentImmutability,
  recovery,
  availability,
  'recovery-outcome': recoveryOutcome,
  'upgrade-outcome': upgradeOutcome,
  coverage,
};

export const ALWAYS_ON: readonly (CheckName | 'coverage')[] = ['recovery', 'availability', 'segment-immutability', 'recovery-outcome', 'coverage'];

/**
 * The checkers of a campaign, in the order their probes run: the scenario's, the always-on ones,
 * then each workload's own (its invariant).
 */
export function checkersFor(checks: readonly CheckName[], mix: readonly WorkloadName[] = ['append']): CheckerDefinition[] {
  const names = [...new Set<CheckName | 'coverage'>([...checks, ...ALWAYS_ON])];
  const chosen = names.map((name) => CHECKERS[name]);
  for (const workload of mix) {
    const own = workloadDefinition(workload).checker;
    if (own && !chosen.some((checker) => checker.name === own.name)) chosen.push(own);
  }
  return chosen;
}
