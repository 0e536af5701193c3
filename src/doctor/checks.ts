/**
 * `kalam-chaos doctor`: what works on this machine. Each check is a plain function (data in, a
 * {@link DoctorCheck} out) that never throws, so the command only prints and the tests only call.
 */
import { spawn } from 'node:child_process';
import { detectPowerLoss, type PowerLossAvailability } from '../power-loss/lossfs.js';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, rm, stat, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { detectSyscallInjection, type SyscallInjectionSupport } from '../nemesis/strace.js';
import { encodeSegment } from '../parquet/segment-writer.js';
import { readParquetFooter, readParquetRows } from '../parquet/segment-reader.js';
import { findFreePort, isPortFree } from '../target/ports.js';
import { startKalamdb } from '../target/start-kalamdb.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** A failed required check makes `doctor` exit non-zero. */
  readonly required: boolean;
}

export const CHECK_NAMES = [
  'node',
  'reference-server',
  'kalamdb-server',
  'loopback-port',
  'disk-space',
  'syscall-kills',
  'power-loss',
  'parquet',
  'chromium',
] as const;

export type CheckName = (typeof CHECK_NAMES)[number];

function check(name: CheckName, status: CheckStatus, detail: string, required: boolean): DoctorCheck {
  return { name, status, detail, required };
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? e?.message ?? String(error);
}

// ---------------------------------------------------------------- running a program

export interface ProgramOutput {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly spawnError?: string;
}

/** Runs a program to completion (SIGKILL at the deadline); never throws. */
export function runProgram(command: string, args: readonly string[], timeoutMs: number): Promise<ProgramOutput> {
  return new Promise((done) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (output: ProgramOutput) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(output);
    };
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(0, 64_000)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(0, 64_000)));
    child.on('error', (error) => finish({ code: null, signal: null, stdout, stderr, timedOut, spawnError: errorText(error) }));
    child.on('close', (code, signal) => finish({ code, signal, stdout, stderr, timedOut }));
  });
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
}

function describeExit(output: ProgramOutput, timeoutMs: number): string {
  if (output.spawnError) return `cannot be run (${output.spawnError})`;
  if (output.timedOut) return `did not finish within ${timeoutMs} ms`;
  const how = output.signal ? `was killed by ${output.signal}` : `exited ${output.code}`;
  const said = firstLine(output.stderr) || firstLine(output.stdout);
  return said ? `${how}: ${said}` : how;
}

/** Why `path` is not a runnable file, or undefined when it is one. */
export async function whyNotExecutable(path: string): Promise<string | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${path} not found` : `${path}: ${errorText(error)}`;
  }
  if (!info.isFile()) return `${path} is not a file`;
  try {
    await access(path, fsConstants.X_OK);
  } catch {
    return `${path} is not executable`;
  }
  return undefined;
}

// ---------------------------------------------------------------- node

/** `node` against package.json's engines range (`>=X.Y.Z`, the form this package uses). */
export function checkNode(input: { version: string; engines: string | undefined }): DoctorCheck {
  const have = input.version.replace(/^v/, '');
  const range = input.engines?.trim();
  if (!range) return check('node', 'ok', `node ${have} (package.json names no engines.node)`, true);
  const match = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range);
  if (!match) return check('node', 'warn', `node ${have}; cannot compare with engines.node "${range}"`, true);
  const want = [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
  const got = have.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const a = got[i] ?? 0;
    const b = want[i] ?? 0;
    if (a > b) break;
    if (a < b) return check('node', 'fail', `node ${have} is older than engines.node ${range}`, true);
  }
  return check('node', 'ok', `node ${have} (engines.node ${range})`, true);
}

// ---------------------------------------------------------------- reference server

/** The built reference server (dist/src/reference-server/main.js) answers `--help`. */
export async function checkReferenceServer(input: { entry: string; nodePath: string; timeoutMs?: number }): Promise<DoctorCheck> {
  const timeoutMs = input.timeoutMs ?? 15_000;
  try {
    await stat(input.entry);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return check('reference-server', 'fail', code === 'ENOENT' ? `${input.entry} not built (run npm run build)` : `${input.entry}: ${errorText(error)}`, true);
  }
  const output = await runProgram(input.nodePath, [input.entry, '--help'], timeoutMs);
  if (output.code === 0 && !output.timedOut && output.stdout.trim()) {
    return check('reference-server', 'ok', `${input.entry} --help: ${firstLine(output.stdout)}`, true);
  }
  return check('reference-server', 'fail', `${input.entry} --help ${describeExit(output, timeoutMs)}`, true);
}

// ---------------------------------------------------------------- kalamdb-server

/** Where `name` is on PATH, if anywhere. */
export async function findOnPath(name: string, pathVariable = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of pathVariable.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if ((await whyNotExecutable(candidate)) === undefined) return candidate;
  }
  return undefined;
}

/**
 * The kalamdb-server binary: exists, is executable, and starts. kalamdb-server has no `--version`
 * (it takes any argument for its config path), so the check starts it the way a campaign does, on a
 * temporary data directory with the server.toml the harness writes, waits for /health and SELECT 1,
 * and reports the version /health names. Without `path` it looks for kalamdb-server on PATH and only
 * warns when there is none (the reference target still works). A binary the user named is required.
 */
export async function checkServerBinary(input: { path?: string; pathVariable?: string; timeoutMs?: number }): Promise<DoctorCheck> {
  const timeoutMs = input.timeoutMs ?? 30_000;
  const given = input.path !== undefined;
  const path = given ? resolve(input.path!) : await findOnPath('kalamdb-server', input.pathVariable);
  if (path === undefined) {
    return check('kalamdb-server', 'warn', 'no --server-bin given and no kalamdb-server on PATH: only --target reference can run', false);
  }
  const why = await whyNotExecutable(path);
  if (why) return check('kalamdb-server', 'fail', why, given);
  const dir = await mkdtemp(join(tmpdir(), 'kalam-chaos-doctor-'));
  try {
    const server = await startKalamdb(path, dir, timeoutMs);
    await server.stop();
    const { version, readyMs } = server.readiness;
    return check('kalamdb-server', 'ok', `${path} started and answered SELECT 1 in ${readyMs} ms; /health reports version ${version ?? '(none)'}`, given);
  } catch (error) {
    return check('kalamdb-server', given ? 'fail' : 'warn', `${path} did not start as a campaign starts it: ${(error as Error).message}`, given);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

// ---------------------------------------------------------------- loopback port

/** The kernel hands out a loopback port that can then be bound again (what every target does). */
export async function checkLoopbackPort(input: { host?: string } = {}): Promise<DoctorCheck> {
  const host = input.host ?? '127.0.0.1';
  try {
    const port = await findFreePort(host);
    if (!(await isPortFree(port, host))) return check('loopback-port', 'fail', `${host}:${port} was handed out but cannot be bound again`, true);
    return check('loopback-port', 'ok', `${host}:${port} free`, true);
  } catch (error) {
    return check('loopback-port', 'fail', `cannot listen on ${host}: ${errorText(error)}`, true);
  }
}

// ---------------------------------------------------------------- disk space

export const DISK_WARN_BYTES = 1024 ** 3;
export const DISK_FAIL_BYTES = 100 * 1024 ** 2;

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** Free space where run folders go (the nearest existing folder at or above `dir`). */
export async function checkDiskSpace(input: { dir: string; warnBytes?: number; failBytes?: number }): Promise<DoctorCheck> {
  const warnBytes = input.warnBytes ?? DISK_WARN_BYTES;
  const failBytes = input.failBytes ?? DISK_FAIL_BYTES;
  let probe = resolve(input.dir);
  for (;;) {
    try {
      const info = await statfs(probe);
      const free = Number(info.bavail) * Number(info.bsize);
      const where = probe === resolve(input.dir) ? probe : `${probe} (for ${resolve(input.dir)})`;
      const detail = `${formatBytes(free)} free at ${where}`;
      if (free < failBytes) return check('disk-space', 'fail', `${detail}: below ${formatBytes(failBytes)}`, false);
      if (free < warnBytes) return check('disk-space', 'warn', `${detail}: below ${formatBytes(warnBytes)}`, false);
      return check('disk-space', 'ok', detail, false);
    } catch (error) {
      const parent = dirname(probe);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) {
        return check('disk-space', 'warn', `cannot read free space at ${probe}: ${errorText(error)}`, false);
      }
      probe = parent;
    }
  }
}

// ---------------------------------------------------------------- syscall-precise kills

export function syscallKillsCheck(support: SyscallInjectionSupport): DoctorCheck {
  return support.available
    ? check('syscall-kills', 'ok', `strace ${support.straceVersion}, ptrace allowed: kill-mid-flush --precise works`, false)
    : check('syscall-kills', 'warn', `${support.reason}: kill-mid-flush --precise unavailable (watch triggers still work)`, false);
}

/** strace installed, ptrace allowed, a SIGKILL injected at a rename really lands (kill-mid-flush --precise). */
export async function checkSyscallKills(input: { stracePath?: string; timeoutMs?: number } = {}): Promise<DoctorCheck> {
  try {
    return syscallKillsCheck(await detectSyscallInjection(input));
  } catch (error) {
    return check('syscall-kills', 'warn', `cannot probe strace: ${errorText(error)}`, false);
  }
}

// ---------------------------------------------------------------- power loss

export function powerLossCheck(support: PowerLossAvailability): DoctorCheck {
  return support.available
    ? check('power-loss', 'ok', `lossfs mounts (FUSE, ${support.python}): the power-loss scenario works`, false)
    : check('power-loss', 'warn', `${support.reason}: the power-loss scenario is unavailable`, false);
}

/** /dev/fuse, fusepy and a real test mount of lossfs (the power-loss scenario). */
export async function checkPowerLoss(): Promise<DoctorCheck> {
  try {
    return powerLossCheck(await detectPowerLoss());
  } catch (error) {
    return check('power-loss', 'warn', `cannot probe lossfs: ${errorText(error)}`, false);
  }
}

// ---------------------------------------------------------------- parquet

/** Encodes a two-row ZSTD segment (parquet-wasm) and reads it back (hyparquet). */
export async function checkParquet(): Promise<DoctorCheck> {
  try {
    const bytes = await encodeSegment(
      [
        { name: '_seq', type: 'INT64', values: [1n, 2n] },
        { name: 'payload', type: 'UTF8', values: ['a', 'b'] },
      ],
      2,
    );
    const footer = await readParquetFooter(bytes);
    const rows = await readParquetRows(bytes);
    const codecs = [...new Set(footer.columns.map((column) => column.codec))].join(',');
    if (footer.rowCount !== 2 || rows.length !== 2 || rows[1]?.payload !== 'b' || rows[1]?._seq !== 2n) {
      return check('parquet', 'fail', `a 2-row segment read back as ${JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`, false);
    }
    return check('parquet', 'ok', `wrote and read a 2-row segment (${bytes.length} bytes, codec ${codecs})`, false);
  } catch (error) {
    return check('parquet', 'fail', `segment round trip failed: ${(error as Error).message ?? error}`, false);
  }
}

// ---------------------------------------------------------------- chromium

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** A headless Chromium for the HTML report tests (they skip without one). */
export async function checkChromium(input: { path?: string; timeoutMs?: number } = {}): Promise<DoctorCheck> {
  const path = input.path ?? DEFAULT_CHROMIUM;
  const timeoutMs = input.timeoutMs ?? 15_000;
  const why = await whyNotExecutable(path);
  if (why) return check('chromium', 'warn', `${why}: HTML report browser tests will skip`, false);
  const output = await runProgram(path, ['--headless', '--no-sandbox', '--version'], timeoutMs);
  if (output.code === 0 && !output.timedOut) return check('chromium', 'ok', `${path}: ${firstLine(output.stdout) || 'runs'}`, false);
  return check('chromium', 'warn', `${path} --version ${describeExit(output, timeoutMs)}`, false);
}

// ---------------------------------------------------------------- all of them

export interface DoctorInput {
  readonly nodeVersion: string;
  readonly engines: string | undefined;
  readonly nodePath: string;
  readonly referenceServerEntry: string;
  readonly serverBin?: string;
  readonly outDir: string;
  readonly chromiumPath?: string;
}

/** Every check, in {@link CHECK_NAMES} order (independent ones run concurrently). */
export async function runDoctorChecks(input: DoctorInput): Promise<DoctorCheck[]> {
  return Promise.all([
    Promise.resolve(checkNode({ version: input.nodeVersion, engines: input.engines })),
    checkReferenceServer({ entry: input.referenceServerEntry, nodePath: input.nodePath }),
    checkServerBinary(input.serverBin !== undefined ? { path: input.serverBin } : {}),
    checkLoopbackPort(),
    checkDiskSpace({ dir: input.outDir }),
    checkSyscallKills(),
    checkPowerLoss(),
    checkParquet(),
    checkChromium(input.chromiumPath !== undefined ? { path: input.chromiumPath } : {}),
  ]);
}

/** True unless a required check failed. */
export function doctorPassed(checks: readonly DoctorCheck[]): boolean {
  return !checks.some((c) => c.required && c.status === 'fail');
}

export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`).join('\n');
}
