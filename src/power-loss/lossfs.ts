import { execa, type ResultPromise } from 'execa';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { registerGroup, signalGroup, unregisterGroup } from '../target/process-registry.js';
import { packageRoot } from '../util/package-root.js';
import { waitFor, withDeadline } from '../util/wait.js';

/**
 * The harness side of lossfs (src/power-loss/lossfs.py): a FUSE passthrough of a backing dir
 * that, on cut(), rewrites the backing dir to what a power cut would have left (only what was
 * fsync'd, and only directory entries whose directory was fsync'd) and unmounts.
 *
 * No lossfs process or mount outlives the harness: the process group is in the process registry
 * (SIGKILLed on exit) and every mount still live at exit is lazily unmounted.
 */

export type LossMode = 'unsynced' | 'torn';

export interface PowerCutFile {
  readonly path: string;
  /** Bytes written or truncated away since the last fsync that the cut threw away. */
  readonly droppedBytes: number;
  /** Size at the file's last fsync/fdatasync (0 if never synced). */
  readonly syncedSize: number;
  /** Size just before the cut; null if the file's entry did not survive. */
  readonly sizeBeforeCut: number | null;
  readonly sizeAfterCut: number | null;
  readonly unsyncedBytes: number;
  readonly removed?: boolean;
  /** torn mode: file offset where the kept prefix of the last unsynced write ends. */
  readonly tornAt?: number;
  readonly tornOffset?: number;
  readonly tornKept?: number;
  readonly tornWriteLength?: number;
}

export interface PowerCutEntry {
  readonly op: string;
  readonly path: string;
  readonly undone: true;
  readonly to?: string;
  readonly replaced?: boolean;
}

export interface PowerCutReport {
  readonly loss: LossMode;
  readonly seed: number;
  readonly files: PowerCutFile[];
  readonly entries: PowerCutEntry[];
  readonly ops: Record<string, number>;
  /** Undo steps that could not be applied exactly (should be empty). */
  readonly problems: string[];
}

/** What a cut at the moment of a settle would have lost; the settle then made all of it durable. */
export interface SettleReport {
  readonly settle: number;
  /** Names a cut would have removed (topmost only: a directory stands for everything inside it). */
  readonly atRisk: { readonly path: string; readonly kind: 'dir' | 'file'; readonly entriesInside: number }[];
  /** Entry operations whose directories were not fsync'd after them. */
  readonly entries: { readonly op: string; readonly path: string; readonly to?: string }[];
  /** Files whose contents changed since their last fsync (syncedSize 0: never fsync'd). */
  readonly files: { readonly path: string; readonly syncedSize: number; readonly size: number; readonly unsyncedBytes: number }[];
}

export type PowerLossAvailability = { available: true; python: string } | { available: false; reason: string };

export interface LossLayerOptions {
  readonly backing: string;
  readonly mount: string;
  readonly report: string;
  /** Where settle() has lossfs write its SettleReport (default: `report` + '.settle.json'). */
  readonly settleReport?: string;
  readonly loss?: LossMode;
  readonly seed?: number;
  readonly python: string;
  readonly readyTimeoutMs?: number;
}

export interface LossLayer {
  readonly pid: number;
  readonly mount: string;
  readonly backing: string;
  /** SIGUSR1: the power cut. Resolves with the report once lossfs has rewritten B, unmounted and exited. */
  cut(timeoutMs?: number): Promise<PowerCutReport>;
  /**
   * SIGUSR2: the settle, as a journal commit makes everything written so far durable. Resolves with
   * what a cut at this moment would have lost. The mount stays up.
   */
  settle(timeoutMs?: number): Promise<SettleReport>;
  /** SIGTERM: unmount without a cut (B keeps everything). Idempotent; always leaves M unmounted. */
  stop(timeoutMs?: number): Promise<void>;
  stdout(): string;
  stderr(): string;
}

export const LOSSFS_SCRIPT = join(packageRoot(), 'src', 'power-loss', 'lossfs.py');

/** Pythons to try, in order: $KALAM_CHAOS_LOSSFS_PYTHON alone if set; else $PYTHON, the venv .ci/run makes, python3. */
export function lossfsPythonCandidates(): string[] {
  if (process.env.KALAM_CHAOS_LOSSFS_PYTHON) return [process.env.KALAM_CHAOS_LOSSFS_PYTHON];
  const venv = join(packageRoot(), '.tmp', 'pyarrow-venv', 'bin', 'python');
  const candidates = [process.env.PYTHON, existsSync(venv) ? venv : undefined, 'python3'];
  return [...new Set(candidates.filter((c): c is string => typeof c === 'string' && c !== ''))];
}

const liveMounts = new Set<string>();
let exitHooked = false;

/** Lazy unmount; quiet when `mount` is not mounted. */
export function lazyUnmount(mount: string): void {
  const first = spawnSync('fusermount', ['-u', '-z', mount], { stdio: 'ignore', timeout: 10_000 });
  if (first.status !== 0 && isMounted(mount)) spawnSync('umount', ['-l', mount], { stdio: 'ignore', timeout: 10_000 });
}

/** Top-level names of `backing` that the mount does not show. */
export function missingThroughMount(mount: string, backing: string): string[] {
  try {
    return readdirSync(backing).filter((name) => !existsSync(join(mount, name)));
  } catch (error) {
    return [`(${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`];
  }
}

export function isMounted(mount: string): boolean {
  const target = resolve(mount);
  try {
    const table = readFileSync('/proc/self/mounts', 'utf8');
    return table.split('\n').some((line) => line.split(' ')[1]?.replace(/\\040/g, ' ') === target);
  } catch {
    return false;
  }
}

function trackMount(mount: string): void {
  liveMounts.add(mount);
  if (!exitHooked) {
    exitHooked = true;
    // Registered after the process registry's hook, so lossfs is already SIGKILLed: unmount what it left.
    process.on('exit', () => {
      for (const m of liveMounts) lazyUnmount(m);
      liveMounts.clear();
    });
  }
}

export async function startLossLayer(options: LossLayerOptions): Promise<LossLayer> {
  const mount = resolve(options.mount);
  const backing = resolve(options.backing);
  const settleReport = resolve(options.settleReport ?? `${options.report}.settle.json`);
  const args = [
    LOSSFS_SCRIPT,
    '--backing', backing,
    '--mount', mount,
    '--report', resolve(options.report),
    '--settle-report', settleReport,
    '--loss', options.loss ?? 'unsynced',
    '--seed', String(options.seed ?? 1),
    '--exit-with-parent',
  ];
  // The mount of an earlier incarnation must be gone, or the new one could be taken for ready while it is not there yet.
  if (isMounted(mount)) lazyUnmount(mount);
  await waitFor(() => (isMounted(mount) ? undefined : true), { what: `the previous mount at ${mount} to go away`, timeoutMs: 10_000, intervalMs: 20 });
  const subprocess: ResultPromise = execa(options.python, args, {
    detached: true,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    env: { PYTHONUNBUFFERED: '1' },
  });
  if (subprocess.pid === undefined) throw new Error(`lossfs did not spawn (${options.python})`);
  const pid = subprocess.pid;
  registerGroup(pid);
  trackMount(mount);
  let out = '';
  let err = '';
  subprocess.stdout?.setEncoding('utf8');
  subprocess.stderr?.setEncoding('utf8');
  subprocess.stdout?.on('data', (chunk: string) => (out += chunk));
  subprocess.stderr?.on('data', (chunk: string) => (err += chunk));
  let exitCode: number | undefined;
  let done = false;
  const exited = subprocess.then(
    (result) => {
      done = true;
      exitCode = result.exitCode;
      unregisterGroup(pid);
      return result.exitCode;
    },
    () => {
      done = true;
      unregisterGroup(pid);
      return undefined;
    },
  );

  const cleanup = () => {
    if (!done) signalGroup(pid, 'SIGKILL');
    lazyUnmount(mount);
    liveMounts.delete(mount);
  };

  try {
    const outcome = await waitFor<'ready' | 'exited'>(
      () => (out.includes('lossfs ready\n') ? 'ready' : done ? 'exited' : undefined),
      { what: `lossfs to mount ${mount}`, timeoutMs: options.readyTimeoutMs ?? 20_000, intervalMs: 20 },
    );
    if (outcome === 'exited') throw new Error(`lossfs exited (code ${exitCode}) before it was ready`);
    // A server started on a mount that does not (yet) show the backing directory would see an empty data
    // directory: the tool's failure, which must never pass for the database's.
    await waitFor(() => (missingThroughMount(mount, backing).length === 0 ? true : undefined), {
      what: `lossfs mount ${mount} to show what the backing directory ${backing} holds`,
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  } catch (error) {
    cleanup();
    await withDeadline(exited, `lossfs pid ${pid} to exit`, 10_000).catch(() => undefined);
    const cause = (error as Error).cause as Error | undefined;
    throw new Error(`${(error as Error).message}${cause ? `: ${cause.message}` : ''}; stderr: ${err.trim().slice(-2000)}`);
  }

  let finished: Promise<void> | undefined;
  let settles = 0;

  return {
    pid,
    mount,
    backing,
    stdout: () => out,
    stderr: () => err,
    async cut(timeoutMs = 60_000) {
      if (finished || done) throw new Error('lossfs is no longer running: cannot cut');
      let ok = false;
      finished = (async () => {
        signalGroup(pid, 'SIGUSR1');
        try {
          const code = await withDeadline(exited, `lossfs pid ${pid} to finish the power cut`, timeoutMs);
          if (code !== 0) throw new Error(`lossfs power cut failed (exit ${code}): ${err.trim().slice(-2000)}`);
          ok = true;
        } finally {
          cleanup();
        }
      })();
      await finished;
      if (!ok) throw new Error('lossfs power cut failed');
      return JSON.parse(await readFile(options.report, 'utf8')) as PowerCutReport;
    },
    async settle(timeoutMs = 30_000) {
      if (finished || done) throw new Error(`lossfs (${mount}) is no longer running: cannot settle`);
      const n = ++settles;
      signalGroup(pid, 'SIGUSR2');
      const outcome = await waitFor<string>(
        () => {
          if (out.includes(`lossfs settled ${n}\n`)) return 'ok';
          const failed = out.split('\n').find((line) => line.startsWith(`lossfs settle failed ${n}:`));
          if (failed) return failed;
          return done ? `lossfs exited (code ${exitCode}) during the settle; stderr: ${err.trim().slice(-2000)}` : undefined;
        },
        { what: `lossfs (${mount}) to settle`, timeoutMs, intervalMs: 20 },
      );
      if (outcome !== 'ok') throw new Error(`lossfs settle of ${mount}: ${outcome}`);
      return JSON.parse(await readFile(settleReport, 'utf8')) as SettleReport;
    },
    async stop(timeoutMs = 15_000) {
      if (finished) {
        await finished.catch(() => undefined);
        return;
      }
      finished = (async () => {
        if (!done) signalGroup(pid, 'SIGTERM');
        try {
          await withDeadline(exited, `lossfs pid ${pid} to exit`, timeoutMs);
        } finally {
          cleanup();
          await withDeadline(exited, `lossfs pid ${pid} to exit after SIGKILL`, 10_000).catch(() => undefined);
        }
      })();
      await finished;
    },
  };
}

let detection: Promise<PowerLossAvailability> | undefined;

/** Whether lossfs can run here: /dev/fuse, fusepy importable, fusermount, and a real test mount. Cached. */
export function detectPowerLoss(): Promise<PowerLossAvailability> {
  detection ??= detect();
  return detection;
}

async function detect(): Promise<PowerLossAvailability> {
  if (process.platform !== 'linux') return { available: false, reason: `lossfs needs Linux FUSE (platform ${process.platform})` };
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch (error) {
    return { available: false, reason: `/dev/fuse is not usable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  let python: string | undefined;
  const failures: string[] = [];
  for (const candidate of lossfsPythonCandidates()) {
    const probe = await execa(candidate, ['-c', 'import fuse; print(fuse.__file__)'], { reject: false, timeout: 20_000 });
    if (probe.exitCode === 0) {
      python = candidate;
      break;
    }
    failures.push(`${candidate}: ${String(probe.stderr || probe.shortMessage || '').trim().split('\n').pop()}`);
  }
  if (!python) return { available: false, reason: `no python can import fuse (pip install fusepy==3.0.1; needs libfuse2): ${failures.join('; ')}` };
  const fusermount = spawnSync('fusermount', ['-V'], { encoding: 'utf8' });
  if (fusermount.error) return { available: false, reason: 'fusermount is not installed (apt-get install fuse3 or fuse)' };

  const dir = await mkdtemp(join(tmpdir(), 'lossfs-probe-'));
  const backing = join(dir, 'backing');
  const mount = join(dir, 'mnt');
  try {
    await mkdir(backing);
    await mkdir(mount);
    let layer: LossLayer;
    try {
      layer = await startLossLayer({ backing, mount, report: join(dir, 'report.json'), python, readyTimeoutMs: 15_000 });
    } catch (error) {
      return { available: false, reason: `test mount failed: ${firstLine((error as Error).message)}` };
    }
    try {
      await writeFile(join(mount, 'probe'), 'lossfs');
      const handle = await open(join(mount, 'probe'), 'r+');
      await handle.sync();
      await handle.close();
    } catch (error) {
      await layer.stop();
      return { available: false, reason: `writing through the test mount failed: ${(error as Error).message}` };
    }
    await layer.stop();
    if (isMounted(mount)) return { available: false, reason: `test mount ${mount} is still mounted after stop` };
    const seen = await readFile(join(backing, 'probe'), 'utf8').catch(() => '');
    if (seen !== 'lossfs') return { available: false, reason: 'a file written through the test mount did not reach the backing dir' };
    return { available: true, python };
  } catch (error) {
    return { available: false, reason: `lossfs probe failed: ${firstLine((error as Error).message)}` };
  } finally {
    lazyUnmount(mount);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
