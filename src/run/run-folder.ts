import { join, resolve } from 'node:path';
import fs from 'fs-extra';
import { packageVersion } from '../util/package-root.js';
import { makeDirectory } from '../util/make-directory.js';
import { markDataDir } from './data-dir-marker.js';

/** The marker that says kalam-chaos created this folder and may write in it. */
export const RUN_MARKER = 'kalam-chaos-run.json';

export interface RunFolder {
  readonly root: string;
  readonly dataDir: string;
  readonly historyPath: string;
  readonly resultPath: string;
  incarnationDir(index: number): string;
}

export class RunFolderError extends Error {
  override name = 'RunFolderError';
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Creates a new, uniquely named run folder under `outDir`; never reuses an existing one. */
export async function createRunFolder(outDir: string, scenario: string, seed: number, now = new Date()): Promise<RunFolder> {
  const parent = resolve(outDir);
  try {
    await makeDirectory(parent);
    await fs.access(parent, fs.constants.W_OK);
  } catch (error) {
    throw new RunFolderError(`output folder ${parent} is not writable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const base = `${scenario}-${timestamp(now)}-seed${seed}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const root = join(parent, attempt === 0 ? base : `${base}-${attempt + 1}`);
    try {
      await fs.mkdir(root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new RunFolderError(`cannot create run folder ${root}: ${(error as Error).message}`);
    }
    const dataDir = join(root, 'data');
    try {
      await fs.writeJson(join(root, RUN_MARKER), { tool: 'kalam-chaos', version: packageVersion(), createdAt: now.toISOString(), pid: process.pid }, { spaces: 2 });
      await fs.mkdir(dataDir);
      await markDataDir(dataDir, { adopted: false, runDir: root });
    } catch (error) {
      throw new RunFolderError(`cannot write run folder ${root}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return {
      root,
      dataDir,
      historyPath: join(root, 'history.ndjson'),
      resultPath: join(root, 'result.json'),
      incarnationDir: (index) => join(root, 'servers', `incarnation-${index}`),
    };
  }
  throw new RunFolderError(`cannot find a free run folder name under ${parent} for ${base}`);
}
