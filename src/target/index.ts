import { createKalamdbTarget, type KalamdbTargetSpec } from './kalamdb.js';
import { createReferenceTarget, type ReferenceTargetSpec } from './reference.js';
import type { Credentials, Target } from './types.js';

export type TargetSpec = ReferenceTargetSpec | KalamdbTargetSpec;

export function createTarget(spec: TargetSpec, dataDir: string, credentials: Credentials): Target {
  switch (spec.kind) {
    case 'reference':
      return createReferenceTarget(spec, dataDir, credentials);
    case 'kalamdb':
      return createKalamdbTarget(spec, dataDir, credentials);
  }
}
