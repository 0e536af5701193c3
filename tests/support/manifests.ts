import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every manifest.json under `dir`, sorted. */
export async function manifestsUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await manifestsUnder(path)));
    else if (entry.name === 'manifest.json') found.push(path);
  }
  return found.sort();
}
