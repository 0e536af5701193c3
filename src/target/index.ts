import { resolve } from 'node:path';
import { assertExecutable, createKalamdbTarget, type KalamdbTargetSpec } from './kalamdb.js';
import { createReferenceTarget, referenceServerEntry, type ReferenceTargetSpec } from './reference.js';
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

/** Throws a one-line error when the target cannot be launched at all, before anything is created. */
export function assertTargetLaunchable(spec: TargetSpec): void {
  switch (spec.kind) {
    case 'reference':
      referenceServerEntry();
      return;
    case 'kalamdb':
      assertExecutable(resolve(spec.serverBin), 'kalamdb-server binary');
      return;
  }
}
