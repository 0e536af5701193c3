/** The moment of a flush at which a scenario intends to kill the server. */
export type FlushPhase = 'job-running' | 'tmp-written' | 'segment-renamed' | 'manifest-written' | 'hot-deleting' | 'random';

export const FLUSH_PHASES: readonly FlushPhase[] = [
  'job-running',
  'tmp-written',
  'segment-renamed',
  'manifest-written',
  'hot-deleting',
  'random',
];

export function isFlushPhase(value: unknown): value is FlushPhase {
  return typeof value === 'string' && (FLUSH_PHASES as readonly string[]).includes(value);
}

/** Where the kill actually landed, as far as the disk (and the jobs table) can tell. */
export type LandedPhase =
  | 'before-flush'
  | 'job-running'
  | 'tmp-written'
  | 'segment-renamed'
  | 'manifest-written'
  | 'flush-completed';

export const LANDED_PHASES: readonly LandedPhase[] = [
  'before-flush',
  'job-running',
  'tmp-written',
  'segment-renamed',
  'manifest-written',
  'flush-completed',
];

/**
 * Whether a kill aimed at `intended` landed there. 'hot-deleting' cannot be told apart from
 * 'manifest-written' on disk (both have the manifest naming the new segment), so that counts;
 * 'random' has no intention to miss.
 */
export function landedAsIntended(intended: FlushPhase, landed: LandedPhase): boolean {
  switch (intended) {
    case 'random':
      return true;
    case 'hot-deleting':
      return landed === 'manifest-written';
    default:
      return landed === intended;
  }
}
