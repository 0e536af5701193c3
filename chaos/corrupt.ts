import { ALL_CORRUPTIONS } from '../src/nemesis/corruption.js';
import type { CorruptFault, ScenarioDefinition } from '../src/scenario/types.js';
import { standardWorkload } from './workload.js';

const fault = (file: 'manifest' | 'parquet' | 'all'): CorruptFault => ({
  kind: 'corrupt',
  corruptions: ALL_CORRUPTIONS.filter((corruption) => file === 'all' || corruption.file === file),
  stop: 'kill',
  warmup: { kind: 'acks', min: 30, max: 120 },
  accept: ['rebuilt', 'refused'],
});

const checks: ScenarioDefinition['checks'] = ['acknowledged-writes', 'metadata'];

export const corruptManifest: ScenarioDefinition = {
  name: 'corrupt-manifest',
  summary: 'stop the server, damage one manifest.json (--kind, default every kind in turn), restart: rebuilt or refused, never panic, hang or silent loss',
  defaults: { cycles: 12, writers: 4 },
  workload: standardWorkload,
  faults: [fault('manifest')],
  checks,
};

export const corruptParquet: ScenarioDefinition = {
  name: 'corrupt-parquet',
  summary: 'stop the server, damage one parquet segment (--kind, default every kind in turn), restart: rebuilt or refused',
  defaults: { cycles: 5, writers: 4 },
  workload: standardWorkload,
  faults: [fault('parquet')],
  checks,
};

export const corruptAll: ScenarioDefinition = {
  name: 'corrupt-all',
  summary: 'walk every manifest and parquet corruption, one per cycle, judging each restart',
  defaults: { cycles: ALL_CORRUPTIONS.length, writers: 4 },
  workload: standardWorkload,
  faults: [fault('all')],
  checks,
};
