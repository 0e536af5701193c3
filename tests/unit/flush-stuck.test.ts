import { expect } from 'chai';
import type { StatementResult } from '../../src/client/responses.js';
import type { SqlOutcome } from '../../src/client/sql-client.js';
import type { HistoryEvent } from '../../src/history/events.js';
import { flushToCompletion, hotness, type LivenessFlushOptions } from '../../src/checker/flush-stuck/liveness.js';

interface FakeJob {
  id: string;
  status: string;
  message?: string;
  finishedAt?: number;
}

/**
 * A fake server: each STORAGE FLUSH answers the next of `answers` (the last repeats); system.jobs
 * answers the next of `jobs` (the last repeats), as rows of the real server's shape.
 */
function fakeServer(answers: (string | { code: string; message: string })[], jobs: FakeJob[][]) {
  const flushes: string[] = [];
  let polls = 0;
  const jobsResult = (sql: string): StatementResult => {
    const listed = jobs[Math.min(polls++, jobs.length - 1)] ?? [];
    // Listed oldest first, as a server returns system.jobs unordered; newest first for ORDER BY ... DESC.
    const current = /ORDER BY created_at DESC/.test(sql) ? [...listed].reverse() : listed;
    const columns = ['job_id', 'job_type', 'status', 'parameters', 'message', 'created_at', 'started_at', 'finished_at'];
    return {
      schema: columns.map((name, index) => ({ name, data_type: 'Text', index })),
      rows: current.map((job) => [job.id, 'flush', job.status, JSON.stringify({ table_id: 'chaos.t', table_type: 'Shared' }), job.message ?? null, 1, 2, job.finishedAt ?? null]),
      row_count: current.length,
    };
  };
  return {
    flushes,
    client: {
      async execute(sql: string): Promise<SqlOutcome> {
        flushes.push(sql);
        const answer = answers[Math.min(flushes.length - 1, answers.length - 1)]!;
        if (typeof answer !== 'string') return { kind: 'error', httpStatus: 400, code: answer.code, message: answer.message };
        return { kind: 'success', results: [{ row_count: 0, message: answer }], tookMs: 1 };
      },
      async query(sql: string): Promise<StatementResult> {
        if (!sql.includes('system.jobs')) throw new Error(`unexpected query ${sql}`);
        return jobsResult(sql);
      },
    },
  };
}

function options(server: ReturnType<typeof fakeServer>, overrides: Partial<LivenessFlushOptions> = {}): LivenessFlushOptions & { events: HistoryEvent[] } {
  const events: HistoryEvent[] = [];
  return {
    client: server.client,
    namespace: 'chaos',
    table: 't',
    hot: 'certain',
    deadlineMs: 300,
    readySinceMs: 1_000,
    cycle: 3,
    incarnation: 3,
    record: (event) => events.push(event),
    intervalMs: 5,
    events,
    ...overrides,
  };
}

const started = (id: string) => `Storage flush started for table 'chaos.t'. Job ID: ${id}`;
const SKIPPED_RUNNING = "Storage flush skipped: a flush is already queued or running for table 'chaos.t'";
const NO_PENDING = "Storage flush skipped: no pending writes for table 'chaos.t'";

describe('flush-stuck: hot tables', () => {
  it('a table is certainly hot with an acknowledged write after its last flush was seen completed', () => {
    expect(hotness(undefined, undefined, false)).to.equal('none');
    expect(hotness(4, undefined, false)).to.equal('certain');
    expect(hotness(20, { commandBefore: 10, completedBefore: 15 }, false)).to.equal('certain');
    expect(hotness(12, { commandBefore: 10, completedBefore: 15 }, false)).to.equal('maybe');
    expect(hotness(9, { commandBefore: 10, completedBefore: 15 }, false)).to.equal('none');
    expect(hotness(20, { commandBefore: 10, completedBefore: 15 }, true)).to.equal('maybe');
  });
});

describe('flush-stuck: a flush after the restart', () => {
  it('passes when the job the answer names completes, recording request, answer and each job state', async () => {
    const server = fakeServer([started('FL-9')], [[{ id: 'FL-8', status: 'failed', message: 'Server restarted' }, { id: 'FL-9', status: 'running' }], [{ id: 'FL-9', status: 'completed' }]]);
    const opts = options(server);
    const outcome = await flushToCompletion(opts);
    expect(outcome).to.deep.include({ ok: true, completed: true, jobId: 'FL-9' });
    expect(server.flushes).to.deep.equal(['STORAGE FLUSH TABLE chaos.t']);
    const types = opts.events.map((event) => event.type);
    expect(types[0]).to.equal('flush-request');
    expect(types[1]).to.equal('flush-answer');
    expect(opts.events.filter((event) => event.type === 'flush-job').map((event) => (event as { status: string }).status)).to.deep.equal(['failed', 'running', 'completed']);
    expect(types[types.length - 1]).to.equal('flush-liveness');
  });

  it('a job that fails is flush-stuck with its status and message', async () => {
    const server = fakeServer([started('FL-9')], [[{ id: 'FL-9', status: 'failed', message: 'disk full' }]]);
    const outcome = await flushToCompletion(options(server));
    expect(outcome.ok).to.equal(false);
    if (outcome.ok) return;
    expect(outcome.violation).to.deep.include({ kind: 'flush-stuck', table: 'chaos.t', reason: 'job-failed', jobId: 'FL-9', jobStatus: 'failed', jobMessage: 'disk full', incarnation: 3 });
    expect(outcome.violation.answers).to.deep.equal([started('FL-9')]);
  });

  it('a job still running at the deadline is flush-stuck (deadline), with the table\'s jobs as evidence', async () => {
    const server = fakeServer([started('FL-9')], [[{ id: 'FL-9', status: 'running' }]]);
    const before = performance.now();
    const outcome = await flushToCompletion(options(server, { deadlineMs: 100 }));
    expect(performance.now() - before).to.be.at.least(95);
    expect(outcome.ok).to.equal(false);
    if (outcome.ok) return;
    expect(outcome.violation).to.deep.include({ reason: 'deadline', jobId: 'FL-9', jobStatus: 'running', deadlineMs: 100 });
    expect(outcome.violation.jobs.map((job) => job.jobId)).to.deep.equal(['FL-9']);
  });

  it('a skip behind a job left running that never ends is flush-stuck (already-running)', async () => {
    const server = fakeServer([SKIPPED_RUNNING], [[{ id: 'FL-2', status: 'running' }]]);
    const outcome = await flushToCompletion(options(server, { deadlineMs: 100 }));
    expect(outcome.ok).to.equal(false);
    if (outcome.ok) return;
    expect(outcome.violation).to.deep.include({ reason: 'already-running', jobId: 'FL-2', jobStatus: 'running' });
    expect(outcome.violation.answers).to.deep.equal([SKIPPED_RUNNING]);
  });

  it('a skip behind a job that then ends is asked again, and passes once the new job completes', async () => {
    const server = fakeServer([SKIPPED_RUNNING, started('FL-3')], [[{ id: 'FL-2', status: 'running' }], [{ id: 'FL-2', status: 'completed' }], [{ id: 'FL-2', status: 'completed' }, { id: 'FL-3', status: 'completed' }]]);
    const outcome = await flushToCompletion(options(server));
    expect(outcome).to.deep.include({ ok: true, jobId: 'FL-3' });
    expect(server.flushes).to.have.length(2);
  });

  it('`no pending writes` for certainly hot rows is flush-stuck; for rows only maybe hot it passes', async () => {
    const stuck = await flushToCompletion(options(fakeServer([NO_PENDING], [[{ id: 'FL-1', status: 'failed', message: 'Server restarted', finishedAt: 2_000 }]])));
    expect(stuck.ok).to.equal(false);
    if (!stuck.ok) expect(stuck.violation.reason).to.equal('no-pending-writes');
    const maybe = await flushToCompletion(options(fakeServer([NO_PENDING], [[]]), { hot: 'maybe' }));
    expect(maybe).to.deep.include({ ok: true, completed: false });
  });

  it("kalamdb-server's error 'pre-validation returned false (nothing to do)' counts as no pending writes, not as a refusal", async () => {
    const nothing = { code: 'SQL_EXECUTION_ERROR', message: 'Statement 1 failed: Job Flush skipped: pre-validation returned false (nothing to do)' };
    const certain = await flushToCompletion(options(fakeServer([nothing], [[]])));
    expect(certain.ok).to.equal(false);
    if (!certain.ok) expect(certain.violation.reason).to.equal('no-pending-writes');
    const maybe = await flushToCompletion(options(fakeServer([nothing], [[]]), { hot: 'maybe' }));
    expect(maybe).to.deep.include({ ok: true, completed: false });
  });

  it('`no pending writes` is explained by a flush of the table that completed since the restart', async () => {
    const server = fakeServer([NO_PENDING], [[{ id: 'FL-1', status: 'completed', finishedAt: 500 }, { id: 'FL-4', status: 'completed', finishedAt: 1_500 }]]);
    expect(await flushToCompletion(options(server))).to.deep.include({ ok: true, completed: true, jobId: 'FL-4' });
    const old = fakeServer([NO_PENDING], [[{ id: 'FL-1', status: 'completed', finishedAt: 500 }]]);
    expect((await flushToCompletion(options(old))).ok).to.equal(false);
  });

  it('an error answer is flush-stuck (refused); no answer at all is the tool\'s error, not a violation', async () => {
    const refused = await flushToCompletion(options(fakeServer([{ code: 'TABLE_NOT_FOUND', message: "Table 'chaos.t' not found" }], [[]])));
    expect(refused.ok).to.equal(false);
    if (!refused.ok) expect(refused.violation).to.deep.include({ reason: 'refused', answers: ["TABLE_NOT_FOUND: Table 'chaos.t' not found"] });
    const server = fakeServer([started('FL-1')], [[]]);
    const silent = { ...server.client, execute: async (): Promise<SqlOutcome> => ({ kind: 'indeterminate', reason: 'socket hang up' }) };
    let thrown: unknown;
    await flushToCompletion(options(server, { client: silent })).catch((error: unknown) => (thrown = error));
    expect(String(thrown)).to.include('got no answer');
  });
});
