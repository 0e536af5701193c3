/**
 * Failures of the machine the tool runs on (its disk, its file-descriptor table, its memory), as
 * opposed to failures of the database under test. A run that meets one ends as an error (exit 2):
 * it must never be reported as a violation of the database.
 */
const RESOURCE_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files in the tool',
  ENFILE: 'too many open files on the machine',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  ENOMEM: 'out of memory',
};

const CODE_PATTERN = new RegExp(`\\b(${Object.keys(RESOURCE_CODES).join('|')})\\b`);

/** "ENOSPC (no space left on device)", or the error's code or message. */
export function describeErrno(error: NodeJS.ErrnoException): string {
  const code = error.code;
  if (code && RESOURCE_CODES[code]) return `${code} (${RESOURCE_CODES[code]})`;
  return code ?? error.message;
}

/** The resource code behind an error (its code, its causes, or its message), if any. */
export function resourceProblem(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code && RESOURCE_CODES[code]) return code;
    const named = CODE_PATTERN.exec(current.message)?.[1];
    if (named) return named;
  }
  return undefined;
}

/** A failure of the tool's own resources at a named step; ends the run as an error. */
export class ToolResourceError extends Error {
  override name = 'ToolResourceError';
}

/**
 * The message of a failed read, to be recorded and judged; a failure of the tool's own resources
 * is thrown instead, so that it ends the run as an error and is never judged as the database's.
 */
export function readFailureMessage(error: unknown, what: string): string {
  const code = resourceProblem(error);
  if (code) throw new ToolResourceError(`${what}: ${(error as Error).message}`, { cause: error });
  return (error as Error).message;
}
