import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliRun, CliRunOptions, InteractiveStep, KalamCli } from '../types.js';
import { plainText } from './cli-output.js';

export interface KalamCliOptions {
  /** The `kalam` binary. */
  readonly bin: string;
  readonly baseUrl: string;
  readonly user: string;
  readonly password: string;
  /** Deadline of one CLI process (a `-c` run, or a whole interactive session). */
  readonly timeoutMs: number;
}

/** The prompt line the interactive CLI ends its output with: `* KalamDB[vm] root@127.0.0.1:8080 > `. */
const PROMPT = /\S+@\S+ >\s*$/;

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** How a command line shows in the evidence: `kalam` and the check's own arguments (never the URL, config or a secret). */
function display(args: readonly string[]): string {
  return ['kalam', ...args].map((word) => shellQuote(word)).join(' ');
}

async function loginToken(baseUrl: string, user: string, password: string, timeoutMs: number): Promise<string> {
  const response = await fetch(new URL('/v1/api/auth/login', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json().catch(() => undefined)) as { access_token?: unknown } | undefined;
  if (response.status !== 200 || typeof body?.access_token !== 'string') {
    throw new Error(`the kalam CLI's login as ${user} on ${baseUrl} failed: HTTP ${response.status}`);
  }
  return body.access_token;
}

/** Kills the process and its children (the CLI under `script` is one), whatever state it is in. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

interface Collected {
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Collected {
  const collected: Collected = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (collected.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (collected.stderr += chunk));
  return collected;
}

function exited(child: ChildProcess): Promise<{ exitCode: number | undefined; signal: string | undefined; spawnError?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ exitCode: undefined, signal: undefined, spawnError: error }));
    child.once('close', (code, signal) => resolve({ exitCode: code ?? undefined, signal: signal ?? undefined }));
  });
}

/**
 * The real `kalam` CLI against one server: logs in once over HTTP (the debug build's password
 * check takes seconds) and hands the CLI that token through a credentials file in a temporary
 * folder of its own, with its `--config` there too, so it never reads or writes the user's ~/.kalam
 * and no secret is on a command line. close() removes the folder.
 */
export async function openKalamCli(options: KalamCliOptions): Promise<KalamCli & { close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kalam-chaos-cli-'));
  const running = new Set<ChildProcess>();
  try {
    const token = await loginToken(options.baseUrl, options.user, options.password, options.timeoutMs);
    const credentialsPath = join(dir, 'credentials.toml');
    await writeFile(credentialsPath, `[instances.local]\njwt_token = ${JSON.stringify(token)}\nserver_url = ${JSON.stringify(options.baseUrl)}\n`, { mode: 0o600 });
    const anonymousPath = join(dir, 'no-credentials.toml');
    await writeFile(anonymousPath, '', { mode: 0o600 });
    const argsFor = (url: string) => ['-u', url, '--config', join(dir, 'config.toml'), '--no-color', '--no-spinner'];
    const baseArgs = argsFor(options.baseUrl);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, KALAMDB_CREDENTIALS_PATH: credentialsPath };
    delete env.KALAMDB_PASSWORD;
    delete env.KALAMDB_USER;

    const start = (command: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv, stdin: 'ignore' | 'pipe') => {
      const child = spawn(command, [...args], { env: { ...env, ...extraEnv }, stdio: [stdin, 'pipe', 'pipe'], detached: true });
      running.add(child);
      child.once('close', () => running.delete(child));
      return child;
    };

    const run = async (args: readonly string[], how: CliRunOptions = {}): Promise<CliRun> => {
      const started = performance.now();
      const child = start(options.bin, [...argsFor(how.url ?? options.baseUrl), ...args], how.anonymous ? { KALAMDB_CREDENTIALS_PATH: anonymousPath } : {}, 'ignore');
      const output = collect(child);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child);
      }, options.timeoutMs);
      const end = await exited(child);
      clearTimeout(timer);
      if (end.spawnError) throw new Error(`cannot run the kalam CLI ${options.bin}: ${end.spawnError.message}`);
      const shown = `${display(args)}${how.url ? ` (-u ${how.url})` : ''}${how.anonymous ? ' (no credentials)' : ''}`;
      return { command: shown, exitCode: end.exitCode, signal: end.signal, stdout: output.stdout, stderr: output.stderr, timedOut, ms: performance.now() - started };
    };

    const interactive = async (steps: readonly InteractiveStep[]): Promise<CliRun> => {
      const started = performance.now();
      // `script` gives the CLI a pseudo-terminal (util-linux; -e: its exit status is the CLI's).
      const command = [options.bin, ...baseArgs].map(shellQuote).join(' ');
      const child = start('script', ['-q', '-e', '-c', command, '/dev/null'], { TERM: 'xterm' }, 'pipe');
      const output = collect(child);
      const end = exited(child);
      let done = false;
      void end.then(() => (done = true));
      const deadline = Date.now() + options.timeoutMs;
      const waitFor = async (condition: () => boolean): Promise<boolean> => {
        while (!condition()) {
          if (done || Date.now() > deadline) return condition();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return true;
      };
      let timedOut = false;
      let answered = 0;
      if (!(await waitFor(() => PROMPT.test(plainText(output.stdout))))) timedOut = !done;
      else {
        for (const step of steps) {
          const before = output.stdout.length;
          child.stdin?.write(step.send);
          const since = () => plainText(output.stdout.slice(before));
          const reached = await waitFor(() => (step.then === 'exit' ? done : step.then === 'prompt' ? since().includes('\n') && PROMPT.test(since()) : since().trim().length > 0));
          if (!reached) {
            timedOut = !done;
            break;
          }
          answered++;
        }
      }
      if (!done) {
        child.stdin?.end();
        if (!(await waitFor(() => done))) timedOut = true;
      }
      killGroup(child);
      const result = await end;
      if (result.spawnError) throw new Error(`cannot run the kalam CLI under script(1): ${result.spawnError.message}`);
      const shown = steps.map((step) => JSON.stringify(step.send)).join(', ');
      return {
        command: `${display([])} (interactive, pseudo-terminal; typed ${shown})`,
        exitCode: result.exitCode,
        signal: result.signal,
        stdout: output.stdout,
        stderr: output.stderr,
        timedOut,
        stepsAnswered: answered,
        ms: performance.now() - started,
      };
    };

    return {
      run,
      interactive,
      writeFile: async (name, content) => {
        const path = join(dir, name.replace(/[^\w.-]/g, '_'));
        await writeFile(path, content);
        return path;
      },
      close: async () => {
        for (const child of running) killGroup(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
