import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { packageRoot } from '../util/package-root.js';
import { TargetSetupError } from './kalamdb.js';
import type { AuthMode, Credentials, Incarnation, LaunchPlan, Target } from './types.js';

export interface ReferenceTargetSpec {
  readonly kind: 'reference';
  readonly defects: readonly string[];
  /** For the ack-before-write defect: how long after the ack the write happens. */
  readonly ackDelayMs?: number;
  /** Pause between flush steps, to widen crash windows. */
  readonly flushDelayMs?: number;
  readonly auth: AuthMode;
}

export function referenceServerEntry(): string {
  const entry = join(packageRoot(), 'dist', 'src', 'reference-server', 'main.js');
  if (!existsSync(entry)) {
    throw new TargetSetupError(`reference server is not built (${entry} is missing): run "npm run build" first`);
  }
  return entry;
}

export function createReferenceTarget(spec: ReferenceTargetSpec, dataDir: string, credentials: Credentials): Target {
  const entry = referenceServerEntry();
  return {
    kind: 'reference',
    auth: spec.auth,
    credentials,
    dataDir,
    async plan(incarnation: Incarnation): Promise<LaunchPlan> {
      const args = [entry, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(incarnation.port)];
      for (const defect of spec.defects) args.push('--defect', defect);
      if (spec.ackDelayMs !== undefined) args.push('--ack-delay-ms', String(spec.ackDelayMs));
      if (spec.flushDelayMs !== undefined) args.push('--flush-delay-ms', String(spec.flushDelayMs));
      if (spec.auth === 'basic') args.push('--accept-basic-auth');
      return {
        command: process.execPath,
        args,
        env: { KALAMDB_ROOT_PASSWORD: credentials.password, KALAMDB_JWT_SECRET: credentials.jwtSecret },
        host: '127.0.0.1',
        port: incarnation.port,
      };
    },
    describe: () => ({
      kind: 'reference',
      command: `${process.execPath} ${entry}`,
      auth: spec.auth,
      dataDir,
      defects: [...spec.defects],
      ...(spec.ackDelayMs !== undefined ? { ackDelayMs: spec.ackDelayMs } : {}),
      ...(spec.flushDelayMs !== undefined ? { flushDelayMs: spec.flushDelayMs } : {}),
    }),
  };
}
