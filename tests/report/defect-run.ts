import { onlyRunFolder, runCli } from '../support/cli.js';

/** The documented seeded-bug run: acknowledgements before the write, so SIGKILL loses acknowledged rows. */
export const DEFECT_RUN_ARGS = [
  'run', 'kill-mid-insert', '--workload', 'append', '--cycles', '2', '--trigger', 'acks:20-60', '--quiet', '--seed', '3',
  '--defect', 'ack-before-write', '--ack-delay-ms', '200',
];

/** Runs it through the CLI into `out`; returns the run folder and the CLI's output for messages. */
export async function defectRun(out: string): Promise<{ runDir: string; exitCode: number | undefined; output: string }> {
  const cli = await runCli([...DEFECT_RUN_ARGS, '--out', out]);
  const output = `exit ${cli.exitCode}\n${cli.stdout}\n${cli.stderr}`;
  const runDir = await onlyRunFolder(out).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${output}`);
  });
  return { runDir, exitCode: cli.exitCode, output };
}
