import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { doctorPassed, formatDoctor, runDoctorChecks } from '../doctor/checks.js';
import { EXIT_CODES } from '../report/result.js';
import { packageRoot } from '../util/package-root.js';

interface DoctorFlags {
  json?: boolean;
  serverBin?: string;
  out: string;
}

function enginesNode(): string | undefined {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { engines?: { node?: string } };
  return pkg.engines?.node;
}

async function doctorCommand(flags: DoctorFlags): Promise<never> {
  const checks = await runDoctorChecks({
    nodeVersion: process.versions.node,
    engines: enginesNode(),
    nodePath: process.execPath,
    referenceServerEntry: join(packageRoot(), 'dist', 'src', 'reference-server', 'main.js'),
    ...(flags.serverBin !== undefined ? { serverBin: flags.serverBin } : {}),
    outDir: resolve(flags.out),
  });
  const ok = doctorPassed(checks);
  const text = flags.json ? JSON.stringify({ ok, checks }, null, 2) : formatDoctor(checks);
  await new Promise<void>((done) => process.stdout.write(text + '\n', () => done()));
  process.exit(ok ? EXIT_CODES.pass : EXIT_CODES.fail);
}

/** `kalam-chaos doctor`: what works on this machine; exit 1 when a required check fails. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check what works here (node, reference server, kalamdb-server, ports, disk, strace, lossfs, parquet, chromium); exit 1 if a required check fails')
    .option('--json', 'print the checks as JSON')
    .option('--server-bin <path>', 'a kalamdb-server binary to check (default: kalamdb-server on PATH, if any)')
    .option('--out <dir>', 'folder whose free disk space is checked', 'runs')
    .action(doctorCommand);
}
