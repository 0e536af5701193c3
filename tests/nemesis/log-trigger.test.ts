import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../support/temp.js';
import { jobStartRule } from '../../src/nemesis/log-trigger.js';
import { armTrigger } from '../../src/nemesis/file-trigger-thread.js';
import { tailFile } from '../../src/nemesis/file-tail.js';
import { waitFor } from '../../src/util/wait.js';

const started = (job: string) => `{"level":"TRACE","message":"[${job}] Job started (local phase)"}\n`;
const flushing = (job: string, table: string) => `{"level":"TRACE","message":"[${job}] Flushing ${table} (type: Shared)"}\n`;

describe('job-start log rule', () => {
  it('fires when the answered job has started, whichever comes first', () => {
    const answerFirst = jobStartRule('chaos', 'rows');
    expect(answerFirst.ours('FL-a1')).to.equal(undefined);
    expect(answerFirst.feed(started('FL-zz')), "another job's start").to.equal(undefined);
    expect(answerFirst.feed(started('FL-a1'))).to.equal('job FL-a1 started');
    expect(answerFirst.feed(started('FL-a1')), 'once').to.equal(undefined);

    const logFirst = jobStartRule('chaos', 'rows');
    expect(logFirst.feed(started('FL-a1'))).to.equal(undefined);
    expect(logFirst.ours('FL-a1')).to.equal('job FL-a1 started');
  });

  it("knows its job from the job's own Flushing line when the log beats the answer, never from another table's", () => {
    const rule = jobStartRule('chaos', 'rows');
    expect(rule.feed(started('FL-b2') + flushing('FL-b2', 'chaos:other'))).to.equal(undefined);
    expect(rule.feed(started('FL-c3') + flushing('FL-c3', 'chaos:rows'))).to.equal('job FL-c3 started');
  });

  it('waits for a line split across two writes', () => {
    const rule = jobStartRule('chaos', 'rows');
    rule.ours('FL-d4');
    const line = started('FL-d4');
    expect(rule.feed(line.slice(0, 20))).to.equal(undefined);
    expect(rule.feed(line.slice(20))).to.equal('job FL-d4 started');
  });
});

describe('job-log trigger thread', function () {
  this.timeout(30_000);
  const temp = useTempDir();

  it('tails only what is appended after it starts', async () => {
    const log = join(temp(), 'stdout.log');
    writeFileSync(log, 'old line\n');
    const seen: string[] = [];
    const tail = tailFile(log, (text) => seen.push(text));
    try {
      appendFileSync(log, 'new line\n');
      await waitFor(() => (seen.join('') === 'new line\n' ? true : undefined), { what: 'the appended text', timeoutMs: 10_000, intervalMs: 5 });
    } finally {
      tail.close();
    }
  });

  it("SIGKILLs the server's group at its job's start line, not at an earlier job's", async () => {
    const log = join(temp(), 'stdout.log');
    writeFileSync(log, started('FL-old'));
    const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const trigger = await armTrigger({ kind: 'job-log', logPath: log, namespace: 'chaos', table: 'rows' }, child.pid!);
    try {
      trigger.tellJob('FL-new');
      appendFileSync(log, started('FL-other'));
      appendFileSync(log, started('FL-new'));
      const event = await trigger.killed;
      expect(event.observed).to.equal('job FL-new started');
      expect(event.killedAt).to.be.at.least(event.observedAt);
      expect(await exited).to.equal('SIGKILL');
    } finally {
      child.kill('SIGKILL');
      await trigger.close();
    }
  });
});
