import type { ScenarioDefinition } from '../src/scenario/types.js';
import { corruptAll, corruptManifest, corruptParquet } from './corrupt.js';
import { killMidFlush } from './kill-mid-flush.js';
import { killMidInsert } from './kill-mid-insert.js';
import { liveSubscribers } from './live-subscribers.js';
import { powerLoss } from './power-loss.js';
import { upgradeScenario } from './upgrade.js';

/** Every scenario the CLI can run, by name. */
export const SCENARIOS: readonly ScenarioDefinition[] = [killMidInsert, killMidFlush, corruptManifest, corruptParquet, corruptAll, powerLoss, upgradeScenario, liveSubscribers];

export function findScenario(name: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
