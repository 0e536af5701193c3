import type { FlushJob } from '../jobs-poll.js';
import { landedAsIntended, type LandedPhase } from '../flush-phase.js';
import type { FlushCycleResult } from '../../report/result.js';

/**
 * Completes a flush kill's classification with the flush job as system.jobs shows it after the
 * restart: a job that completed before the kill means the kill came after the flush; one interrupted
 * while running means it had started even if nothing reached the disk.
 */
export function classifyFlushLanding(flush: FlushCycleResult, jobsAfterRestart: readonly FlushJob[]): FlushCycleResult {
  // The job the flush command queued: known from polling, named in the command's answer, or the table's newest.
  const jobId =
    flush.jobId ??
    jobsAfterRestart.find((job) => flush.flushMessage?.includes(job.jobId))?.jobId ??
    [...jobsAfterRestart].filter((job) => job.table === flush.table).sort((a, b) => Number(b.createdAt ?? 0) - Number(a.createdAt ?? 0))[0]?.jobId;
  const job = jobsAfterRestart.find((candidate) => candidate.jobId === jobId);
  const jobStatusAfterRestart = job?.status;
  // KalamDB should fail the jobs running at the kill with `Server restarted` (older reference builds said
  // `... while the job was running`); the binary at 66dc492b leaves them `running` (FINDINGS.md), which
  // does not tell when they started. A kill fired by the server's own log line saying this job had
  // started (or, in older histories, by system.jobs showing it running) is evidence enough.
  const startedBeforeKill =
    (job?.status === 'failed' && /^Server restarted$|while the job was running/.test(job.message ?? '')) ||
    (flush.trigger === 'job-log' && jobId !== undefined && flush.observed === `job ${jobId} started`) ||
    flush.trigger === 'job-state';
  // The binary may run a job killed mid-flush again after the restart: finished after the kill, it had not finished at it.
  const finishedAt = Number(job?.finishedAt);
  const finishedAfterKill = flush.killedAtEpochMs !== undefined && Number.isFinite(finishedAt) && finishedAt > flush.killedAtEpochMs;
  const completedBeforeKill = jobStatusAfterRestart === 'completed' && !finishedAfterKill;
  const onDisk = flush.landedOnDisk ?? 'before-flush';
  const landed: LandedPhase =
    completedBeforeKill ? 'flush-completed' : onDisk === 'before-flush' && startedBeforeKill ? 'job-running' : onDisk;
  return {
    ...flush,
    ...(jobId ? { jobId } : {}),
    ...(jobStatusAfterRestart ? { jobStatusAfterRestart } : {}),
    landed,
    asIntended: landedAsIntended(flush.intended, landed),
  };
}
