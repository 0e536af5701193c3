import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LaunchPlan } from '../target/types.js';

export type InjectableSyscall = 'rename' | 'fsync' | 'unlink';

export type SyscallInjectionSupport =
  | { readonly available: true; readonly straceVersion: string }
  | { readonly available: false; readonly reason: string };

/** The syscalls each name stands for (the libc wrappers use the *at variants on newer systems). */
export const SYSCALL_SETS: Readonly<Record<InjectableSyscall, readonly string[]>> = {
  rename: ['rename', 'renameat', 'renameat2'],
  fsync: ['fsync', 'fdatasync'],
  unlink: ['unlink', 'unlinkat'],
};

export function syscallList(syscalls: readonly InjectableSyscall[]): string {
  const names = new Set<string>();
  for (const syscall of syscalls) for (const name of SYSCALL_SETS[syscall]) names.add(name);
  return [...names].join(',');
}

export interface SyscallKillOptions {
  readonly syscalls: readonly InjectableSyscall[];
  /**
   * Which call to kill at, counting from 1. strace counts per traced thread (not per process), so
   * this is exact only when one thread makes all those calls.
   */
  readonly nth: number;
  /** Where strace writes its trace of the chosen syscalls (useful to see what ran before the kill). */
  readonly logFile: string;
  /** Defaults to 'strace' on PATH. */
  readonly stracePath?: string;
}

/** strace's arguments to SIGKILL the traced process tree at its `nth` call of the chosen syscalls. */
export function syscallKillArgs(options: Omit<SyscallKillOptions, 'stracePath'>): string[] {
  if (!Number.isInteger(options.nth) || options.nth < 1) throw new Error(`nth must be a positive integer, got ${options.nth}`);
  if (options.syscalls.length === 0) throw new Error('no syscalls to inject into');
  const set = syscallList(options.syscalls);
  return ['-f', '-qq', '-o', options.logFile, '-e', `trace=${set}`, '-e', `inject=${set}:signal=SIGKILL:when=${options.nth}`];
}

/**
 * The same launch, run under strace so the server is SIGKILLed exactly at its `nth` chosen syscall
 * (entry: the call itself does not happen). `-f` because file syscalls may run on worker threads.
 */
export function wrapWithSyscallKill(plan: LaunchPlan, options: SyscallKillOptions): LaunchPlan {
  return {
    ...plan,
    command: options.stracePath ?? 'strace',
    args: [...syscallKillArgs(options), '--', plan.command, ...plan.args],
  };
}

interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnError?: NodeJS.ErrnoException;
  readonly timedOut?: boolean;
}

function run(command: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let timedOut = false;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr, spawnError: error });
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * Whether this machine can kill a process at an exact syscall: strace is installed, ptrace is
 * allowed (containers often forbid it), and injecting SIGKILL at a rename really kills a child
 * before the rename happens.
 */
export async function detectSyscallInjection(
  options: { stracePath?: string; timeoutMs?: number } = {},
): Promise<SyscallInjectionSupport> {
  const strace = options.stracePath ?? 'strace';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const version = await run(strace, ['-V'], timeoutMs);
  if (version.spawnError) {
    return version.spawnError.code === 'ENOENT'
      ? { available: false, reason: 'strace not installed' }
      : { available: false, reason: `strace cannot be run: ${version.spawnError.message}` };
  }
  const straceVersion = /version\s+(\S+)/i.exec(version.stdout)?.[1] ?? version.stdout.split('\n')[0]?.trim() ?? '';
  if (version.code !== 0) return { available: false, reason: `strace -V failed (exit ${version.code}): ${version.stderr.trim()}` };

  const dir = await mkdtemp(join(tmpdir(), 'kalam-chaos-strace-'));
  try {
    const from = join(dir, 'from');
    const to = join(dir, 'to');
    await writeFile(from, 'x');
    const script = `require('node:fs').renameSync(${JSON.stringify(from)}, ${JSON.stringify(to)}); process.exit(0);`;
    const args = [...syscallKillArgs({ syscalls: ['rename'], nth: 1, logFile: '/dev/null' }), '--', process.execPath, '-e', script];
    const probe = await run(strace, args, timeoutMs);
    const stderr = probe.stderr.trim();
    if (probe.spawnError) return { available: false, reason: `strace cannot be run: ${probe.spawnError.message}` };
    if (probe.timedOut) return { available: false, reason: `strace probe did not finish within ${timeoutMs} ms` };
    if (/ptrace|Operation not permitted|EPERM/i.test(stderr) && probe.signal !== 'SIGKILL')
      return { available: false, reason: `ptrace not permitted: ${firstLine(stderr)}` };
    if (probe.signal !== 'SIGKILL' && probe.code !== 128 + 9 && probe.code !== 9)
      return {
        available: false,
        reason: `syscall injection did not kill the child (exit ${probe.code ?? probe.signal}${stderr ? `: ${firstLine(stderr)}` : ''})`,
      };
    if (existsSync(to)) return { available: false, reason: 'the child was killed but only after its rename happened' };
    return { available: true, straceVersion };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 200) ?? '';
}
