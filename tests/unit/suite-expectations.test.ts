import { expect } from 'chai';
import { mismatchOf, redactStatement } from '../../src/suite/answer.js';
import { checksOf, SUITE_CHECKS } from '../../src/suite/registry.js';
import { suiteVerdict } from '../../src/suite/result.js';
import { SUITE_CATEGORIES, type Answer, type CheckVerdict } from '../../src/suite/types.js';
import { resolveVersioned, versioned } from '../../src/suite/versioned.js';
import { UsageError } from '../../src/nemesis/options.js';

const error = (code: string, message: string): Answer => ({ kind: 'error', httpStatus: 400, code, message, ms: 1 });
const success = (rows?: unknown[][], message?: string): Answer => ({ kind: 'success', rowCount: rows?.length ?? 0, ...(rows ? { rows } : {}), ...(message ? { message } : {}), ms: 1 });

describe('suite: expectations keyed by server version', () => {
  const value = versioned('seed value', { '0.4': 'minor', '0.4.3': 'head' }, 'why it differs');

  it('takes the longest version prefix that matches, on a version boundary', () => {
    expect(resolveVersioned(value, '0.4.3-rc.4')).to.deep.equal({ value: 'head', key: '0.4.3', why: 'why it differs' });
    expect(resolveVersioned(value, '0.4.3-reference').value).to.equal('head');
    expect(resolveVersioned(value, '0.4.3').value).to.equal('head');
    expect(resolveVersioned(value, '0.4.2-rc.3')).to.include({ value: 'minor', key: '0.4' });
    // 0.4.30 is not 0.4.3, and 0.40 is not 0.4.
    expect(resolveVersioned(value, '0.4.30').value).to.equal('minor');
    expect(resolveVersioned(value, '0.40.1')).to.include({ value: 'seed value', key: 'seed' });
  });

  it('falls back to the seed plan for a server that names no version, and leaves plain values alone', () => {
    expect(resolveVersioned(value, undefined)).to.include({ value: 'seed value', key: 'seed' });
    expect(resolveVersioned('plain', '0.4.3')).to.deep.equal({ value: 'plain' });
  });
});

describe('suite: judging one answer', () => {
  it('an expected error: code and message must both match; a success or no answer never does', () => {
    const expected = { outcome: 'error', code: 'INVALID_SQL', message: /^Invalid TTL_SECONDS$/ } as const;
    expect(mismatchOf(error('INVALID_SQL', 'Invalid TTL_SECONDS'), expected)).to.equal(undefined);
    expect(mismatchOf(error('SQL_EXECUTION_ERROR', 'Invalid TTL_SECONDS'), expected)).to.match(/expected an error INVALID_SQL/);
    expect(mismatchOf(error('INVALID_SQL', 'Statement 1 failed: Invalid TTL_SECONDS'), expected)).to.match(/got error INVALID_SQL/);
    expect(mismatchOf(success(), expected)).to.match(/got success/);
    expect(mismatchOf({ kind: 'indeterminate', reason: 'socket hang up', ms: 3 }, expected)).to.match(/no answer \(indeterminate: socket hang up\)/);
  });

  it('an expected success: rows compare exactly, as the JSON answer has them', () => {
    expect(mismatchOf(success([['1']]), { outcome: 'success', rows: [['1']] })).to.equal(undefined);
    expect(mismatchOf(success([[1]]), { outcome: 'success', rows: [['1']] })).to.match(/expected the rows \[\["1"\]\], got \[\[1\]\]/);
    expect(mismatchOf(success([], 'Inserted 2 row(s)'), { outcome: 'success', message: /^Inserted 1 row\(s\)$/ })).to.match(/got the message "Inserted 2 row\(s\)"/);
    expect(mismatchOf(error('X', 'no'), { outcome: 'success' })).to.match(/expected success, got error X/);
  });

  it('never keeps a password in a recorded statement', () => {
    expect(redactStatement("CREATE USER a WITH PASSWORD 'it''s s3cret' ROLE user")).to.equal("CREATE USER a WITH PASSWORD '[redacted]' ROLE user");
    expect(redactStatement("create user b with password 'x'")).to.equal("create user b with password '[redacted]'");
  });
});

describe('suite: verdict and exit code', () => {
  const verdict = (outcome: CheckVerdict['outcome']): CheckVerdict => ({ id: `startup/${outcome}`, category: 'startup', expectation: 'x', outcome, problems: [], evidence: [], durationMs: 0 });

  it("the tool's own error outranks a failed check, which outranks a pass; skipped checks count as neither", () => {
    expect(suiteVerdict([verdict('pass'), verdict('skipped')], {})).to.deep.equal({ verdict: 'pass', exitCode: 0 });
    expect(suiteVerdict([verdict('pass'), verdict('fail')], {})).to.deep.equal({ verdict: 'fail', exitCode: 1 });
    expect(suiteVerdict([verdict('fail'), verdict('error')], {})).to.deep.equal({ verdict: 'error', exitCode: 2 });
    expect(suiteVerdict([verdict('pass')], { error: true })).to.deep.equal({ verdict: 'error', exitCode: 2 });
    expect(suiteVerdict([verdict('fail')], { interrupted: 'SIGTERM' })).to.deep.equal({ verdict: 'interrupted', exitCode: 143 });
  });
});

describe('suite: the check registry', () => {
  it('has each id once, named <category>/<name> after its category, with a one-line expectation', () => {
    const ids = SUITE_CHECKS.map((check) => check.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const check of SUITE_CHECKS) {
      expect(SUITE_CATEGORIES).to.include(check.category);
      expect(check.id, check.id).to.match(new RegExp(`^${check.category}/[a-z0-9-]+$`));
      expect(check.expectation, check.id).to.be.a('string').and.not.match(/\n/);
      expect(check.expectation.length, check.id).to.be.within(20, 200);
    }
  });

  it('selects by category, all of them when none is named, and refuses an unknown one naming the known', () => {
    expect(checksOf([])).to.deep.equal(SUITE_CHECKS);
    const validation = checksOf(['validation']);
    expect(validation.length).to.be.greaterThan(0);
    expect(validation.every((check) => check.category === 'validation')).to.equal(true);
    expect(checksOf(['validation', 'startup']).map((check) => check.id)).to.deep.equal(SUITE_CHECKS.filter((check) => check.category === 'startup' || check.category === 'validation').map((check) => check.id));
    expect(() => checksOf(['startup', 'bogus'])).to.throw(UsageError, /unknown suite category "bogus"; known categories: startup, validation, backpressure, subscriptions, cli/);
  });
});
