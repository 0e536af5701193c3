export type { CheckName, InsertWorkloadSpec, ScenarioDefinition, TableSpec } from '../vocabulary/scenario.js';
export type { CorruptFault, FaultSpec, FlushKillFault, FlushKillPrecision, KillFault, PowerCutFault } from '../vocabulary/faults.js';
