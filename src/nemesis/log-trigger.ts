/**
 * What the server logs at the moment a flush job is marked running. KalamDB's job runner logs
 * `[FL-…] Job started (local phase)` right after mark_job_running (jobs_manager/runner.rs, Trace, target
 * kalamdb_jobs::jobs_manager::utils), and `[FL-…] Flushing ns:table (type: …)` when the flush itself
 * starts (executors/flush.rs, Trace); the reference server logs the same two lines at the same two moments.
 */
const JOB_STARTED = /\[(FL-[A-Za-z0-9]+)\] Job started \(local phase\)/;
const FLUSHING = /\[(FL-[A-Za-z0-9]+)\] Flushing ([^\s:]+):(\S+) \(type:/;

export interface JobStartRule {
  /** Appended log text; returns what was observed once the job of our flush is known to have started. */
  feed(text: string): string | undefined;
  /** The job id the flush command's answer named; returns the observation if that job had already started. */
  ours(jobId: string): string | undefined;
}

/**
 * Fires, once, when the flush job of `namespace.table` has started. Which job is ours comes from the
 * flush answer or, when the log is faster, from the job's own `Flushing ns:table` line; the
 * start line of any other job (a flush policy's) never fires it.
 */
export function jobStartRule(namespace: string, table: string): JobStartRule {
  const started = new Set<string>();
  let mine: string | undefined;
  let partial = '';
  let fired = false;
  const check = (): string | undefined => {
    if (fired || mine === undefined || !started.has(mine)) return undefined;
    fired = true;
    return `job ${mine} started`;
  };
  return {
    feed(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const start = JOB_STARTED.exec(line);
        if (start) started.add(start[1]!);
        const flushing = FLUSHING.exec(line);
        if (flushing && flushing[2] === namespace && flushing[3] === table) {
          mine ??= flushing[1]!;
          started.add(flushing[1]!);
        }
      }
      return check();
    },
    ours(jobId) {
      mine ??= jobId;
      return check();
    },
  };
}
