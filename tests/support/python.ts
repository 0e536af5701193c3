import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

/** The Python with pyarrow for interop tests: $PYTHON, else the venv .ci/run makes, else python3. */
export function pythonForInterop(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(packageRoot(), '.tmp', 'pyarrow-venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

let pyarrowAvailable: boolean | undefined;

/** Whether the interop Python can import pyarrow (checked once); tests skip without it. */
export function hasPyarrow(): boolean {
  pyarrowAvailable ??= spawnSync(pythonForInterop(), ['-c', 'import pyarrow.parquet'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  return pyarrowAvailable;
}
