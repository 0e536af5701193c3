import { join } from 'node:path';
import fs from 'fs-extra';
import { packageVersion } from '../util/package-root.js';

/** The marker that says kalam-chaos created this data directory (or was told it owns it), and for which run. */
export const DATA_DIR_MARKER = '.kalam-chaos-data.json';

export interface DataDirMarker {
  readonly tool: 'kalam-chaos';
  readonly version: string;
  readonly claimedAt: string;
  readonly adopted: boolean;
  readonly runDir?: string;
}

/** Writes (or rewrites) the marker of a data directory kalam-chaos may write in. */
export async function markDataDir(dir: string, fields: { adopted?: boolean; runDir?: string }): Promise<void> {
  const earlier = await readMarker(dir);
  const runDir = fields.runDir ?? earlier.runDir;
  const marker: DataDirMarker = {
    tool: 'kalam-chaos',
    version: packageVersion(),
    claimedAt: new Date().toISOString(),
    adopted: fields.adopted ?? earlier.adopted ?? false,
    ...(runDir ? { runDir } : {}),
  };
  await fs.writeJson(join(dir, DATA_DIR_MARKER), marker, { spaces: 2 });
}

export async function readMarker(dir: string): Promise<Partial<DataDirMarker>> {
  try {
    return (await fs.readJson(join(dir, DATA_DIR_MARKER))) as Partial<DataDirMarker>;
  } catch {
    return {};
  }
}
