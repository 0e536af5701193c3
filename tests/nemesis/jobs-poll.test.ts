import { expect } from 'chai';
import type { StatementResult } from '../../src/client/responses.js';
import { DeadlineExceeded } from '../../src/util/wait.js';
import {
  FlushJobFailed,
  flushJobIds,
  flushJobTable,
  listFlushJobs,
  waitForFlushJob,
  type JobsQueryClient,
} from '../../src/nemesis/jobs-poll.js';

const COLUMNS = ['job_id', 'job_type', 'status', 'parameters', 'message', 'created_at', 'started_at', 'finished_at', 'retry_count'];
type Job = [id: string, type: string, status: string, parameters: string, message?: string];

/** A fake client whose system.jobs answer is the next in `answers` (the last one repeats). */
function fakeClient(answers: Job[][]): JobsQueryClient & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    async query(sql: string): Promise<StatementResult> {
      queries.push(sql);
      const jobs = answers[Math.min(queries.length - 1, answers.length - 1)] ?? [];
      return {
        schema: COLUMNS.map((name, index) => ({ name, data_type: 'Utf8', index })),
        rows: jobs.map(([id, type, status, parameters, message]) => [id, type, status, parameters, message ?? null, 1, null, null, 0]),
        row_count: jobs.length,
      };
    },
  };
}

const params = (ns: string, table: string) => JSON.stringify({ namespace_id: ns, table_name: table });

describe('flush job polling', () => {
  it('reads the table a flush job names', () => {
    expect(flushJobTable(params('chaos', 't'))).to.deep.equal({ namespace: 'chaos', table: 't' });
    expect(flushJobTable({ namespace: 'a', table: 'b' })).to.deep.equal({ namespace: 'a', table: 'b' });
    expect(flushJobTable(JSON.stringify({ table_name: 'chaos.t' }))).to.deep.equal({ namespace: 'chaos', table: 't' });
    expect(flushJobTable('not json')).to.deep.equal({});
  });

  it('lists only flush jobs', async () => {
    const client = fakeClient([
      [
        ['j1', 'flush', 'completed', params('chaos', 't')],
        ['j2', 'cleanup', 'running', '{}'],
        ['j3', 'FLUSH', 'Running', params('chaos', 'u')],
      ],
    ]);
    const jobs = await listFlushJobs(client);
    expect(jobs.map((j) => [j.jobId, j.status, j.namespace, j.table])).to.deep.equal([
      ['j1', 'completed', 'chaos', 't'],
      ['j3', 'running', 'chaos', 'u'],
    ]);
    expect(client.queries).to.deep.equal(['SELECT * FROM system.jobs']);
  });

  it('waits for a new job of the table to run, ignoring older jobs and other tables', async () => {
    const old: Job = ['j1', 'flush', 'running', params('chaos', 't')];
    const other: Job = ['j2', 'flush', 'running', params('chaos', 'other')];
    const client = fakeClient([
      [old, other],
      [old, other, ['j3', 'flush', 'queued', params('chaos', 't')]],
      [old, other, ['j3', 'flush', 'running', params('chaos', 't')]],
    ]);
    const since = await flushJobIds(client);
    expect([...since]).to.deep.equal(['j1', 'j2']);
    const seen = await waitForFlushJob(client, { namespace: 'chaos', table: 't', status: 'running', sinceJobIds: since, deadlineMs: 5_000, intervalMs: 1 });
    expect(seen.jobId).to.equal('j3');
    expect(seen.status).to.equal('running');
    expect(seen.observedAtMs).to.be.a('number');
    expect(client.queries).to.have.length(3);
  });

  it('accepts a job already past running when waiting for running', async () => {
    const client = fakeClient([[['j9', 'flush', 'completed', params('chaos', 't')]]]);
    const seen = await waitForFlushJob(client, { namespace: 'chaos', table: 't', status: 'running', deadlineMs: 5_000 });
    expect(seen).to.include({ jobId: 'j9', status: 'completed' });
  });

  it('waits for completion, and rejects if the job fails', async () => {
    const running: Job = ['j1', 'flush', 'running', params('chaos', 't')];
    const done = fakeClient([[running], [running], [['j1', 'flush', 'completed', params('chaos', 't')]]]);
    expect(await waitForFlushJob(done, { namespace: 'chaos', table: 't', status: 'completed', deadlineMs: 5_000, intervalMs: 1 })).to.include({
      jobId: 'j1',
      status: 'completed',
    });
    const failed = fakeClient([[running], [['j1', 'flush', 'failed', params('chaos', 't'), 'disk full']]]);
    const error = await waitForFlushJob(failed, { namespace: 'chaos', table: 't', status: 'completed', deadlineMs: 5_000, intervalMs: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(FlushJobFailed);
    expect((error as Error).message).to.match(/failed: disk full/);
  });

  it('gives up at the deadline with the last query error attached', async () => {
    const client: JobsQueryClient = {
      query: async () => {
        throw new Error('connection refused');
      },
    };
    const error = await waitForFlushJob(client, { namespace: 'chaos', table: 't', status: 'running', deadlineMs: 30, intervalMs: 5 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DeadlineExceeded);
    expect(((error as Error).cause as Error).message).to.equal('connection refused');
  });
});
