import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from '../support/temp.js';
import { detectSyscallInjection, syscallList, wrapWithSyscallKill } from '../../src/nemesis/strace.js';
import type { LaunchPlan } from '../../src/target/types.js';

function runPlan(plan: LaunchPlan): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(plan.command, [...plan.args], { env: { ...process.env, ...plan.env }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}

describe('syscall injection with strace', () => {
  const temp = useTempDir();

  it('maps syscall names to the kernel calls', () => {
    expect(syscallList(['rename'])).to.equal('rename,renameat,renameat2');
    expect(syscallList(['fsync', 'unlink'])).to.equal('fsync,fdatasync,unlink,unlinkat');
  });

  it('wraps a launch plan without losing anything', () => {
    const plan: LaunchPlan = { command: '/bin/server', args: ['--config', 'c.toml'], env: { A: '1' }, host: '127.0.0.1', port: 8080, serverLogsDir: '/logs' };
    const wrapped = wrapWithSyscallKill(plan, { syscalls: ['rename'], nth: 3, logFile: '/tmp/trace.log' });
    expect(wrapped).to.deep.equal({
      ...plan,
      command: 'strace',
      args: [
        '-f', '-qq', '-o', '/tmp/trace.log',
        '-e', 'trace=rename,renameat,renameat2',
        '-e', 'inject=rename,renameat,renameat2:signal=SIGKILL:when=3',
        '--', '/bin/server', '--config', 'c.toml',
      ],
    });
    expect(() => wrapWithSyscallKill(plan, { syscalls: ['rename'], nth: 0, logFile: 'x' })).to.throw(/nth/);
  });

  it('says whether injection works here, and if so kills a process at its 2nd rename', async function () {
    const support = await detectSyscallInjection();
    if (!support.available) {
      expect(support.reason).to.be.a('string').and.not.equal('');
      this.skip();
      return;
    }
    expect(support.straceVersion).to.match(/\d/);
    const dir = temp();
    const script = join(dir, 'renames.cjs');
    writeFileSync(
      script,
      `const fs = require('node:fs'); const d = ${JSON.stringify(dir)};
       for (const n of [1, 2, 3]) fs.writeFileSync(d + '/f' + n, 'x');
       for (const n of [1, 2, 3]) fs.renameSync(d + '/f' + n, d + '/g' + n);
       fs.writeFileSync(d + '/done', 'yes');`,
    );
    const logFile = join(dir, 'trace.log');
    const plan: LaunchPlan = { command: process.execPath, args: [script], env: {}, host: '127.0.0.1', port: 0 };
    const exit = await runPlan(wrapWithSyscallKill(plan, { syscalls: ['rename'], nth: 2, logFile }));
    expect(exit.signal === 'SIGKILL' || exit.code === 137, `exit ${JSON.stringify(exit)}`).to.equal(true);
    expect(existsSync(join(dir, 'g1')), 'first rename happened').to.equal(true);
    expect(existsSync(join(dir, 'f1'))).to.equal(false);
    expect(existsSync(join(dir, 'f2')), 'second rename did not happen').to.equal(true);
    expect(existsSync(join(dir, 'g2'))).to.equal(false);
    expect(existsSync(join(dir, 'done'))).to.equal(false);
    expect(readFileSync(logFile, 'utf8')).to.match(/killed by SIGKILL/);
  });

  it('reports a clear reason when strace is missing', async () => {
    const support = await detectSyscallInjection({ stracePath: join(temp(), 'no-such-strace') });
    expect(support).to.deep.equal({ available: false, reason: 'strace not installed' });
  });
});
