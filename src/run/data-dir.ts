import { join, resolve } from 'node:path';
import fs from 'fs-extra';
import { packageVersion } from '../util/package-root.js';
import { RunFolderError } from './run-folder.js';

/** The marker that says kalam-chaos created this data directory (or was told it owns it). */
export const DATA_DIR_MARKER = '.kalam-chaos-data.json';

/**
 * Makes `path` usable as a server data directory for a campaign, or refuses with one line before
 * anything is written: a non-empty directory kalam-chaos did not create is only taken when the
 * user says they own it (`--i-own-this-data-dir`), because campaigns kill servers on it and damage
 * files in it.
 */
export async function claimDataDir(path: string, userOwnsIt: boolean): Promise<string> {
  const dir = resolve(path);
  let entries: string[] | undefined;
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new RunFolderError(`data directory ${dir} is not a directory`);
    entries = await fs.readdir(dir);
  } catch (error) {
    if (error instanceof RunFolderError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new RunFolderError(`cannot read data directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const ours = entries?.includes(DATA_DIR_MARKER) ?? false;
  if (entries && entries.length > 0 && !ours && !userOwnsIt) {
    throw new RunFolderError(`data directory ${dir} is not empty and was not created by kalam-chaos; pass --i-own-this-data-dir to let campaigns kill servers on it and damage its files`);
  }
  try {
    await fs.ensureDir(dir);
    if (!ours) await fs.writeJson(join(dir, DATA_DIR_MARKER), { tool: 'kalam-chaos', version: packageVersion(), claimedAt: new Date().toISOString(), adopted: (entries?.length ?? 0) > 0 }, { spaces: 2 });
  } catch (error) {
    throw new RunFolderError(`cannot prepare data directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return dir;
}
