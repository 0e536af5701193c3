import type { InsertWorkloadSpec } from '../workload/insert-workload.js';
import type { KillTriggerSpec } from '../nemesis/kill-trigger.js';

export type NemesisSpec = {
  readonly kind: 'kill-mid-insert';
  readonly trigger: KillTriggerSpec;
  readonly signal: 'SIGKILL';
};

export type CheckName = 'acknowledged-writes' | 'metadata';

/** A scenario as declared in chaos/: plain data, interpreted by the campaign runner. */
export interface ScenarioDefinition {
  readonly name: string;
  readonly summary: string;
  readonly defaults: { readonly cycles: number; readonly writers: number };
  readonly workload: Omit<InsertWorkloadSpec, 'writers'>;
  readonly nemesis: NemesisSpec;
  readonly checks: readonly CheckName[];
}
