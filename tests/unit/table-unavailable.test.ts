import { expect } from 'chai';
import { join } from 'node:path';
import fs from 'fs-extra';
import { checkTableAvailabilityOfHistory, createTableAvailabilityLog, type AvailabilityEvent } from '../../src/checker/table-unavailable/log.js';
import { useTempDir } from '../support/temp.js';

const SHARED = 'chaos.shared_rows';
const USER = 'chaos.user_rows';

/** A run's opening: the workload's tables, the schema created, incarnation 0 ready. */
function opening(): AvailabilityEvent[] {
  return [
    { type: 'run-start', options: { workload: { namespace: 'chaos', tables: [{ name: 'user_rows' }, { name: 'shared_rows' }] } } },
    { type: 'server-ready', incarnation: 0 },
    { type: 'setup', cycle: 0 },
  ];
}

/** `count` INSERTs into `table`, each answered with `outcome` (failed ones carry a server error code). */
function writes(table: string, count: number, outcome: 'acknowledged' | 'failed' | 'failed-no-answer', firstId: number): AvailabilityEvent[] {
  const events: AvailabilityEvent[] = [];
  for (let i = 0; i < count; i++) {
    const requestId = firstId + i;
    events.push({ type: 'request', requestId, table });
    if (outcome === 'acknowledged') events.push({ type: 'response', requestId, outcome });
    else if (outcome === 'failed') events.push({ type: 'response', requestId, outcome: 'failed', code: 'SQL_EXECUTION_ERROR', error: 'Shared table provider not found' });
    else events.push({ type: 'response', requestId, outcome: 'failed', error: 'connect ECONNREFUSED' });
  }
  return events;
}

const restart = (from: number): AvailabilityEvent[] => [
  { type: 'server-exit', incarnation: from },
  { type: 'server-ready', incarnation: from + 1 },
];

const notFoundRead = (table: string): AvailabilityEvent => ({
  type: 'read-back',
  cycle: 1,
  purpose: 'check',
  table,
  partition: null,
  error: `"SELECT COUNT(*) FROM ${table}" failed: TABLE_NOT_FOUND: Table not found`,
});

function findingsOf(events: AvailabilityEvent[], final = false) {
  const log = createTableAvailabilityLog();
  for (const event of events) log.observe(event);
  return log.findings({ minFailedWrites: 10, final }).map((finding) => finding.violation);
}

describe('table-unavailable checker', () => {
  it('flags a table whose every write failed over an incarnation that ended, with samples of the errors', () => {
    const events = [...opening(), ...writes(USER, 5, 'acknowledged', 1), ...restart(0), ...writes(USER, 30, 'acknowledged', 100), ...writes(SHARED, 12, 'failed', 200), ...restart(1)];
    const found = findingsOf(events);
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.include({ kind: 'table-unavailable', table: SHARED, incarnation: 1, failedWrites: 12, acknowledgedWrites: 0, readAnswers: [] });
    expect(found[0]!.sampleErrors).to.deep.equal(['SQL_EXECUTION_ERROR: Shared table provider not found']);
  });

  it('does not judge an incarnation still running, unless asked for the final verdict', () => {
    const events = [...opening(), ...restart(0), ...writes(SHARED, 12, 'failed', 1)];
    expect(findingsOf(events)).to.deep.equal([]);
    expect(findingsOf(events, true).map((violation) => violation.table)).to.deep.equal([SHARED]);
  });

  it('lets an incarnation pass when one write of the table was acknowledged, or when too few failed', () => {
    const oneAck = [...opening(), ...restart(0), ...writes(SHARED, 40, 'failed', 1), ...writes(SHARED, 1, 'acknowledged', 100), ...restart(1)];
    expect(findingsOf(oneAck)).to.deep.equal([]);
    const few = [...opening(), ...restart(0), ...writes(SHARED, 9, 'failed', 1), ...restart(1)];
    expect(findingsOf(few)).to.deep.equal([]);
  });

  it('counts only failures the server answered: refused connections at a kill say nothing of the table', () => {
    const events = [...opening(), ...restart(0), ...writes(SHARED, 20, 'failed-no-answer', 1), ...restart(1)];
    expect(findingsOf(events)).to.deep.equal([]);
  });

  it('flags a read answering not found after a restart, in the incarnation that answered it', () => {
    const events = [...opening(), ...writes(SHARED, 3, 'acknowledged', 1), ...restart(0), notFoundRead(SHARED), ...writes(SHARED, 2, 'acknowledged', 10), ...restart(1)];
    const found = findingsOf(events);
    expect(found).to.have.length(1);
    expect(found[0]).to.include({ table: SHARED, incarnation: 1, acknowledgedWrites: 2 });
    expect(found[0]!.readAnswers[0]).to.include('TABLE_NOT_FOUND');
  });

  it('knows the ways a server says a table is not found, and not a file of it', () => {
    const read = (error: string): AvailabilityEvent => ({ type: 'read-back', cycle: 1, purpose: 'check', table: SHARED, partition: null, error });
    const flagged = (error: string) => findingsOf([...opening(), ...restart(0), read(error), ...restart(1)]).length === 1;
    expect(flagged('NOT_FOUND: Table not found')).to.equal(true);
    expect(flagged("TABLE_NOT_FOUND: Table 'chaos.shared_rows' not found")).to.equal(true);
    expect(flagged('SQL_EXECUTION_ERROR: Table chaos.shared_rows not found')).to.equal(true);
    expect(flagged('SQL_EXECUTION_ERROR: Shared table provider not found for chaos.shared_rows')).to.equal(true);
    expect(flagged('SQL_EXECUTION_ERROR: scanning table chaos.shared_rows: batch-3.parquet not found')).to.equal(false);
  });

  it('ignores unreadable answers that are not "not found", tables the run did not create, and events before the schema exists', () => {
    const otherError: AvailabilityEvent = { type: 'read-back', cycle: 1, purpose: 'check', table: SHARED, partition: null, error: 'SQL_EXECUTION_ERROR: parquet footer damaged' };
    const events = [...opening(), ...restart(0), otherError, ...writes('chaos.other', 20, 'failed', 1), ...restart(1)];
    expect(findingsOf(events)).to.deep.equal([]);
    const noSetup = [opening()[0]!, opening()[1]!, ...writes(SHARED, 20, 'failed', 1), { type: 'server-exit', incarnation: 0 }];
    expect(findingsOf(noSetup)).to.deep.equal([]);
  });

  it('writes are charged to the incarnation they were sent to, even when answered after its end', () => {
    // A request sent to incarnation 0 and answered (failed) only after incarnation 1 is ready.
    const events = [...opening(), { type: 'request', requestId: 1, table: SHARED }, ...restart(0), { type: 'response', requestId: 1, outcome: 'failed', code: 'X', error: 'e' }, ...writes(SHARED, 5, 'acknowledged', 2), ...restart(1)];
    expect(findingsOf(events)).to.deep.equal([]);
  });

  describe('from a run folder', () => {
    const tempDir = useTempDir();

    it('recomputes the check from history.ndjson as the history writes it (event, not type)', async () => {
      const dir = tempDir();
      const events = [...opening(), ...restart(0), notFoundRead(SHARED), ...writes(SHARED, 15, 'failed', 1), ...writes(USER, 15, 'acknowledged', 100), ...restart(1)];
      const lines = events.map((event, index) => {
        const { type, ...fields } = event;
        return JSON.stringify({ level: 30, event: type, t: index, cycle: 1, ...fields, msg: type });
      });
      const path = join(dir, 'history.ndjson');
      await fs.writeFile(path, lines.join('\n') + '\n{"torn":');
      const result = await checkTableAvailabilityOfHistory(path);
      expect(result.check).to.equal('table-unavailable');
      expect(result.ok).to.equal(false);
      expect(result.violations).to.have.length(1);
      expect(result.violations[0]).to.deep.include({ kind: 'table-unavailable', table: SHARED, incarnation: 1, failedWrites: 15, acknowledgedWrites: 0 });
    });
  });
});
