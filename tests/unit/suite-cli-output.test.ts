import { expect } from 'chai';
import { cliAnswerOf, describeAnswer } from '../../src/suite/answer.js';
import { clip, errorLines, parseCsv, plainText, tableRowCount } from '../../src/suite/cli/cli-output.js';

describe('reading the kalam CLI output', () => {
  it('plainText drops colours, cursor moves and carriage returns a pseudo-terminal adds', () => {
    const raw = '\u001b[?2026h\r\u001b[K* KalamDB[vm] root@127.0.0.1:8080 > \r\u001b[37C\u001b[?2026l\u001b[31m✗ Server error (400)\u001b[0m\r\n';
    expect(plainText(raw)).to.equal('\n* KalamDB[vm] root@127.0.0.1:8080 > \n✗ Server error (400)\n');
  });

  it('tableRowCount reads the last "(N rows)" / "(1 row)" footer, and nothing else', () => {
    expect(tableRowCount('┌──┐\n(1 row)\n\nAs: root\n')).to.equal(1);
    expect(tableRowCount('(0 rows)\n')).to.equal(0);
    expect(tableRowCount('(3 rows)\n...\n(200 rows)\r\n')).to.equal(200);
    expect(tableRowCount('Query OK, 1 rows affected\n')).to.equal(undefined);
    expect(tableRowCount('a cell saying (5 rows) in a line\n')).to.equal(undefined);
  });

  it('errorLines keeps the lines that start with Error:', () => {
    expect(errorLines('Error: Server error (400): bad\n  • hint\nnot an Error: line\n')).to.deep.equal(['Error: Server error (400): bad']);
    expect(errorLines('')).to.deep.equal([]);
  });

  it('parseCsv reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsv('k,v\na,"x,""y"""\nb,"two\nlines"\n\n')).to.deep.equal([
      ['k', 'v'],
      ['a', 'x,"y"'],
      ['b', 'two\nlines'],
    ]);
    expect(parseCsv('')).to.deep.equal([]);
  });

  it('clip keeps short text and says how much it cut', () => {
    expect(clip('abc', 5)).to.equal('abc');
    expect(clip('abcdefgh', 5)).to.equal('abcde… (3 more characters)');
  });

  it('a CLI run as evidence: exit 0 is success, 1 an error, a kill no exit code; described with its exit and output', () => {
    const base = { command: 'kalam -c x', signal: undefined, stdout: '\u001b[32mok\u001b[0m\n', stderr: '', timedOut: false, ms: 12.34 };
    expect(cliAnswerOf({ ...base, exitCode: 0 })).to.deep.equal({ kind: 'success', exitCode: 0, stdout: 'ok', stderr: '', ms: 12.3 });
    const failed = cliAnswerOf({ ...base, exitCode: 1, stdout: '', stderr: 'Error: boom\n' });
    expect(failed.kind).to.equal('error');
    expect(describeAnswer(failed)).to.equal('exit 1\nstderr: Error: boom');
    const killed = cliAnswerOf({ ...base, exitCode: undefined, signal: 'SIGKILL', timedOut: true });
    expect(killed).to.include({ kind: 'indeterminate', reason: 'killed at its deadline' });
    expect(describeAnswer(killed)).to.equal('no exit code (killed at its deadline)\nstdout: ok');
  });
});
