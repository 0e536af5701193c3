import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

/** The Python with pyarrow for interop tests: $PYTHON, else the venv .ci/run makes, else python3. */
export function pythonForInterop(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(packageRoot(), '.tmp', 'pyarrow-venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}
