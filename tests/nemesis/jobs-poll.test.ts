import { expect } from 'chai';
import type { StatementResult } from '../../src/client/responses.js';
import { DeadlineExceeded } from '../../src/util/wait.js';
import {
  FlushJobFailed,
  flushJobIds,
  flushJobMessage,
  flushJobTable,
  listFlushJobs,
  waitForFlushJob,
  waitForTableFlushesIdle,
  type JobsQueryClient,
} from '../../src/nemesis/jobs-poll.js';

const COLUMNS = ['job_id', 'job_type', 'status', 'parameters', 'message', 'created_at', 'started_at', 'finished_at', 'retry_count'];
type Job = [id: string, type: string, status: string, parameters: string, message?: string];

/** A fake client whose system.jobs answer is the next in `answers` (the last one repeats), listed oldest first and returned newest first for ORDER BY ... DESC. */
function fakeClient(answers: Job[][]): JobsQueryClient & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    async query(sql: string): Promise<StatementResult> {
      queries.push(sql);
      const listed = answers[Math.min(queries.length - 1, answers.length - 1)] ?? [];
      const jobs = /ORDER BY created_at DESC/.test(sql) ? [...listed].reverse() : listed;
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

  it('reads the system.jobs rows KalamDB 0.4.3 returns (measured), with their JSON message', async () => {
    // SELECT * FROM system.jobs on kalamdb-server 0.4.3-rc.4 after one completed flush and one killed mid-run.
    const columns = ['job_id', 'job_type', 'status', 'leader_status', 'parameters', 'message', 'exception_trace', 'idempotency_key', 'queue', 'priority', 'retry_count', 'max_retries', 'memory_used', 'cpu_used', 'created_at', 'updated_at', 'started_at', 'finished_at', 'node_id', 'leader_node_id'];
    const client: JobsQueryClient = {
      async query(): Promise<StatementResult> {
        return {
          schema: columns.map((name, index) => ({ name, data_type: name === 'parameters' ? 'Json' : 'Text', index })),
          rows: [
            ['FL-3c44044d2a42', 'flush', 'completed', null, '{"flush_threshold":null,"table_id":"chaos.s","table_type":"Shared"}', '{"message":"Flushed chaos:s successfully (2 rows, 1 files)"}', null, 'flush-chaos-s', null, null, 0, 3, null, null, 1796190973400, 1796190973422, 1796190973410, 1796190973422, '1', null],
            ['FL-2a43f4254f61', 'flush', 'failed', null, '{"flush_threshold":null,"table_id":"chaos.u","table_type":"User"}', 'Server restarted', 'Job was running when server shut down', 'flush-chaos-u', null, null, 0, 3, null, null, 1796190981226, 1796190985766, 1796190985700, 1796190985766, '1', null],
          ],
          row_count: 2,
        };
      },
    };
    const jobs = await listFlushJobs(client);
    expect(jobs).to.deep.equal([
      { jobId: 'FL-3c44044d2a42', status: 'completed', namespace: 'chaos', table: 's', message: 'Flushed chaos:s successfully (2 rows, 1 files)', createdAt: 1796190973400, startedAt: 1796190973410, finishedAt: 1796190973422, retryCount: 0 },
      { jobId: 'FL-2a43f4254f61', status: 'failed', namespace: 'chaos', table: 'u', message: 'Server restarted', createdAt: 1796190981226, startedAt: 1796190985700, finishedAt: 1796190985766, retryCount: 0 },
    ]);
    expect(flushJobMessage('{"message":"x","skipped":true}')).to.equal('x');
    expect(flushJobMessage('{not json')).to.equal('{not json');
    expect(flushJobMessage(null)).to.equal(undefined);
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
    expect(client.queries).to.deep.equal(['SELECT * FROM system.jobs ORDER BY created_at DESC LIMIT 1000']);
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

  it('waits until no flush job of the table is queued or running (one a FLUSH_POLICY started), ignoring other tables', async () => {
    const client = fakeClient([
      [['FL-1', 'flush', 'queued', params('chaos', 't')], ['FL-2', 'flush', 'running', params('chaos', 'other')]],
      [['FL-1', 'flush', 'running', params('chaos', 't')], ['FL-2', 'flush', 'running', params('chaos', 'other')]],
      [['FL-1', 'flush', 'completed', params('chaos', 't')], ['FL-2', 'flush', 'running', params('chaos', 'other')]],
    ]);
    await waitForTableFlushesIdle(client, { namespace: 'chaos', table: 't', deadlineMs: 5_000, intervalMs: 1 });
    expect(client.queries).to.have.length(3);
    const stuck = fakeClient([[['FL-1', 'flush', 'running', params('chaos', 't')]]]);
    let caught: unknown;
    await waitForTableFlushesIdle(stuck, { namespace: 'chaos', table: 't', deadlineMs: 20, intervalMs: 1 }).catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(DeadlineExceeded);
  });
});
