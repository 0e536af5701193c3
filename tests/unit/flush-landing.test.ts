import { expect } from 'chai';
import { classifyFlushLanding } from '../../src/nemesis/flush-kill/landing.js';
import type { FlushCycleResult } from '../../src/report/result.js';

const base: FlushCycleResult = {
  table: 'shared_rows',
  randomDelayMs: 10,
  intended: 'tmp-written',
  precision: 'watch',
  ended: 'killed',
  trigger: 'file-event',
  afterFlushMs: 3,
  flushMessage: "Storage flush started for table 'chaos.shared_rows'. Job ID: FL-a094b941b0bc",
  scopes: ['storage/chaos/shared_rows'],
  landedOnDisk: 'tmp-written',
};

const job = (jobId: string, status: string, message?: string, createdAt = 1) => ({ jobId, status, table: 'shared_rows', namespace: 'chaos', createdAt, ...(message ? { message } : {}) });

describe('flush landing after restart', () => {
  it('finds the job named in the flush command answer and keeps the disk classification', () => {
    const result = classifyFlushLanding(base, [job('FL-3c44044d2a42', 'completed', undefined, 5), job('FL-a094b941b0bc', 'failed', 'Server restarted', 2)]);
    expect(result).to.include({ jobId: 'FL-a094b941b0bc', jobStatusAfterRestart: 'failed', landed: 'tmp-written', asIntended: true });
  });

  it('says flush-completed when the job had completed before the kill, whatever the disk shows', () => {
    const result = classifyFlushLanding({ ...base, landedOnDisk: 'manifest-written', intended: 'manifest-written' }, [job('FL-a094b941b0bc', 'completed')]);
    expect(result).to.include({ landed: 'flush-completed', asIntended: false });
  });

  it('says job-running, not flush-completed, when the restarted server ran the killed job again to the end', () => {
    const killedAt = { ...base, landedOnDisk: 'before-flush' as const, intended: 'job-running' as const, trigger: 'job-log' as const, observed: 'job FL-a094b941b0bc started', killedAtEpochMs: 1_000 };
    const rerun = { ...job('FL-a094b941b0bc', 'completed'), finishedAt: 7_000 };
    expect(classifyFlushLanding(killedAt, [rerun])).to.include({ landed: 'job-running', asIntended: true, jobStatusAfterRestart: 'completed' });
    expect(classifyFlushLanding(killedAt, [{ ...rerun, finishedAt: 1_000 }]).landed, 'finished by the kill').to.equal('flush-completed');
    expect(classifyFlushLanding({ ...killedAt, landedOnDisk: 'segment-renamed', intended: 'segment-renamed', trigger: 'file-event' }, [rerun]).landed).to.equal('segment-renamed');
  });

  it('counts a job-log kill as job-running only when the line was its own job\'s', () => {
    const quiet = { ...base, landedOnDisk: 'before-flush' as const, intended: 'job-running' as const, trigger: 'job-log' as const };
    expect(classifyFlushLanding({ ...quiet, observed: 'job FL-a094b941b0bc started' }, [job('FL-a094b941b0bc', 'running')]).landed).to.equal('job-running');
    expect(classifyFlushLanding({ ...quiet, observed: 'job FL-000000000001 started' }, [job('FL-a094b941b0bc', 'running')]).landed).to.equal('before-flush');
  });

  it('tells job-running from before-flush by the job interrupted while running', () => {
    const quiet = { ...base, landedOnDisk: 'before-flush' as const, intended: 'job-running' as const };
    expect(classifyFlushLanding(quiet, [job('FL-a094b941b0bc', 'failed', 'Server restarted')]).landed).to.equal('job-running');
    expect(classifyFlushLanding(quiet, [job('FL-a094b941b0bc', 'queued')]).landed).to.equal('before-flush');
    expect(classifyFlushLanding(quiet, [job('FL-a094b941b0bc', 'failed', 'disk full')]).landed).to.equal('before-flush');
  });

  it('counts a kill fired on the job seen running as job-running, though the real binary leaves it running after restart', () => {
    const seenRunning = { ...base, landedOnDisk: 'before-flush' as const, intended: 'job-running' as const, trigger: 'job-state' as const };
    expect(classifyFlushLanding(seenRunning, [job('FL-000007', 'running')])).to.include({ landed: 'job-running', asIntended: true });
    expect(classifyFlushLanding({ ...seenRunning, trigger: 'wal-write' }, [job('FL-000007', 'running')]).landed).to.equal('before-flush');
  });

  it('falls back to the table\'s newest job when nothing names it', () => {
    const result = classifyFlushLanding({ ...base, flushMessage: 'ok' }, [job('A', 'failed', undefined, 1), job('B', 'completed', undefined, 9)]);
    expect(result).to.include({ jobId: 'B', landed: 'flush-completed' });
  });
});
