import { resolve } from 'node:path';
import fs from 'fs-extra';
import { makeDirectory } from '../util/make-directory.js';
import { DATA_DIR_MARKER, markDataDir, readMarker } from './data-dir-marker.js';
import { RunFolderError } from './run-folder.js';

export { DATA_DIR_MARKER } from './data-dir-marker.js';

/**
 * Makes `path` usable as a server data directory for a campaign, or refuses with one line before
 * anything is written:
 *  - a non-empty directory kalam-chaos did not create is only taken when the user says they own it
 *    (`--i-own-this-data-dir`), because campaigns kill servers on it and damage files in it;
 *  - a directory kalam-chaos marked that holds an earlier campaign's data is refused: a campaign
 *    judges the server against its own ledger, which starts empty, so it cannot continue that data
 *    (the earlier run's history is the only record of what was acknowledged there).
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
  const data = (entries ?? []).filter((entry) => entry !== DATA_DIR_MARKER);
  if (data.length > 0 && !ours && !userOwnsIt) {
    throw new RunFolderError(`data directory ${dir} is not empty and was not created by kalam-chaos; pass --i-own-this-data-dir to let campaigns kill servers on it and damage its files`);
  }
  if (data.length > 0 && ours && !userOwnsIt) {
    const marker = await readMarker(dir);
    const earlier = marker.runDir ? `run ${marker.runDir}` : 'an earlier campaign';
    throw new RunFolderError(
      `data directory ${dir} holds the data of ${earlier}: a campaign checks the server against its own ledger, which starts empty, so it cannot continue that data; remove the directory or choose another --data-dir`,
    );
  }
  try {
    await makeDirectory(dir);
    await markDataDir(dir, { adopted: data.length > 0 });
  } catch (error) {
    throw new RunFolderError(`cannot prepare data directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return dir;
}
