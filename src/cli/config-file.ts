/**
 * kalam-chaos.config.json: defaults for the `run` flags a nightly job repeats. Looked up in the
 * current directory, or named with `run --config PATH`; flags on the command line win.
 *
 *   { "target": "kalamdb", "serverBin": "/usr/local/bin/kalamdb-server", "out": "/runs",
 *     "writers": 8, "cycles": 20, "syncWrites": true }
 *
 * Relative paths (serverBin, out) are relative to the file's folder.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError, type RunFlags } from './options.js';

export const CONFIG_FILE_NAME = 'kalam-chaos.config.json';

type KeyKind =
  | { readonly type: 'choice'; readonly choices: readonly string[] }
  | { readonly type: 'path' }
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly type: 'boolean' };

/** The keys a config file may hold (RunFlags names), with what each must be. */
export const CONFIG_KEYS = {
  target: { type: 'choice', choices: ['reference', 'kalamdb'] },
  serverBin: { type: 'path' },
  auth: { type: 'choice', choices: ['bearer', 'basic'] },
  out: { type: 'path' },
  writers: { type: 'integer', min: 1, max: 64 },
  cycles: { type: 'integer', min: 1, max: 10_000 },
  rows: { type: 'integer', min: 1, max: 1_000_000_000 },
  maxMinutes: { type: 'integer', min: 1, max: 10_080 },
  readyTimeout: { type: 'integer', min: 100, max: 600_000 },
  cycleTimeout: { type: 'integer', min: 100, max: 3_600_000 },
  syncWrites: { type: 'boolean' },
  flushDelayMs: { type: 'integer', min: 0, max: 60_000 },
} as const satisfies Record<string, KeyKind>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

function isConfigKey(key: string): key is ConfigKey {
  return Object.prototype.hasOwnProperty.call(CONFIG_KEYS, key);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Reads the config file: `path` (relative to `cwd`) when given, which must exist; otherwise
 * `kalam-chaos.config.json` in `cwd`, if there is one. Returns the flags it sets (as commander
 * would hand them over: numbers as strings), or undefined when there is no file. Throws a
 * one-line UsageError naming the file and the key for anything it cannot use.
 */
export async function loadConfigFile(path: string | undefined, cwd: string = process.cwd()): Promise<Partial<RunFlags> | undefined> {
  const file = resolve(cwd, path ?? CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (path === undefined && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new UsageError(`config file ${file}: cannot read it (${code ?? (error as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config file ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`config file ${file}: must hold a JSON object, got ${describeValue(data)}`);
  }
  const base = dirname(file);
  const flags: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!isConfigKey(key)) {
      throw new UsageError(`config file ${file}: unknown key "${key}"; known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
    }
    const kind: KeyKind = CONFIG_KEYS[key];
    const bad = (expected: string): never => {
      throw new UsageError(`config file ${file}: key "${key}" must be ${expected}, got ${describeValue(value)}`);
    };
    switch (kind.type) {
      case 'choice':
        if (typeof value !== 'string' || !kind.choices.includes(value)) bad(kind.choices.map((c) => `"${c}"`).join(' or '));
        flags[key] = value as string;
        break;
      case 'path':
        if (typeof value !== 'string' || value.trim() === '') bad('a non-empty string (a path)');
        flags[key] = resolve(base, value as string);
        break;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) bad('a whole number');
        if ((value as number) < kind.min || (value as number) > kind.max) bad(`between ${kind.min} and ${kind.max}`);
        flags[key] = String(value);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') bad('true or false');
        flags[key] = value as boolean;
        break;
    }
  }
  return flags as Partial<RunFlags>;
}

/** Keys that only mean something for one target. */
const KALAMDB_ONLY: readonly ConfigKey[] = ['serverBin', 'syncWrites'];
const REFERENCE_ONLY: readonly ConfigKey[] = ['flushDelayMs'];

/**
 * The file's defaults under the command line's flags. `sourceOf(key)` is commander's
 * getOptionValueSource: a flag commander filled with its own default ('default') yields to the
 * file. When the command line picks a different --target than the file, the file's keys for the
 * other target are dropped (a nightly file for kalamdb still lets `--target reference` run).
 */
export function mergeRunFlags<T extends RunFlags>(
  fileDefaults: Partial<RunFlags> | undefined,
  flags: T,
  sourceOf: (key: string) => string | undefined,
): T {
  if (!fileDefaults) return flags;
  const fromCli = (key: string) => {
    const source = sourceOf(key);
    return source !== undefined && source !== 'default';
  };
  const merged = { ...flags } as Record<string, unknown>;
  const targetFromCli = fromCli('target');
  for (const [key, value] of Object.entries(fileDefaults)) {
    if (value === undefined || fromCli(key)) continue;
    if (targetFromCli && fileDefaults.target !== flags.target) {
      if (flags.target === 'reference' && KALAMDB_ONLY.includes(key as ConfigKey)) continue;
      if (flags.target === 'kalamdb' && REFERENCE_ONLY.includes(key as ConfigKey)) continue;
    }
    merged[key] = value;
  }
  return merged as T;
}
