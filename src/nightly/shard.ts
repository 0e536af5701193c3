/**
 * `scripts/nightly --shard i/n`: the rows of the matrix shard i of n runs. The split depends only
 * on the matrix and n, so every shard of one nightly, on whatever machine, agrees on it: each row
 * lands in exactly one shard, and the shards' expected costs are as even as a greedy split makes them.
 */
import { findScenario } from '../../chaos/index.js';
import type { MatrixRow } from './matrix.js';
import { NightlyUsageError } from './usage-error.js';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** More shards than any CI matrix (GitHub allows 256 jobs) or Indexed Job would run. */
export const MAX_SHARDS = 1000;

export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!match) throw new NightlyUsageError(`--shard takes I/N (shard I of N, 1 <= I <= N), got "${value}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new NightlyUsageError(`--shard ${value}: N must be between 1 and ${MAX_SHARDS}`);
  if (index < 1 || index > count) throw new NightlyUsageError(`--shard ${value}: I must be between 1 and N (${count})`);
  return { index, count };
}

/**
 * A row's expected cost: its campaign's cycles (each a start, a workload, a fault, a restart and
 * a read-back), from `--cycles` among the run flags, else the scenario's default.
 */
export function expectedCost(row: MatrixRow, runArgs: readonly string[]): number {
  const cycles = cyclesFlag([...runArgs, ...(row.extraArgs ?? [])]);
  return cycles ?? findScenario(row.scenario)?.defaults.cycles ?? 1;
}

function cyclesFlag(args: readonly string[]): number | undefined {
  let cycles: number | undefined;
  args.forEach((arg, index) => {
    const value = arg === '--cycles' ? args[index + 1] : arg.startsWith('--cycles=') ? arg.slice('--cycles='.length) : undefined;
    if (value !== undefined && /^\d+$/.test(value) && Number(value) > 0) cycles = Number(value);
  });
  return cycles;
}

/**
 * Each shard's row indexes, in matrix order: the costliest rows first, each to the shard with the
 * least cost so far (then the fewest rows, then the lowest number), ties between rows in matrix order.
 */
export function splitIntoShards(costs: readonly number[], count: number): number[][] {
  const shards = Array.from({ length: count }, () => ({ cost: 0, rows: [] as number[] }));
  const order = costs.map((cost, index) => ({ cost, index })).sort((a, b) => b.cost - a.cost || a.index - b.index);
  for (const { cost, index } of order) {
    let target = shards[0]!;
    for (const shard of shards) if (shard.cost < target.cost || (shard.cost === target.cost && shard.rows.length < target.rows.length)) target = shard;
    target.cost += cost;
    target.rows.push(index);
  }
  return shards.map((shard) => shard.rows.sort((a, b) => a - b));
}

/** The rows shard `shard` runs, in matrix order. */
export function shardRows(rows: readonly MatrixRow[], shard: Shard, runArgs: readonly string[]): MatrixRow[] {
  const split = splitIntoShards(rows.map((row) => expectedCost(row, runArgs)), shard.count);
  return split[shard.index - 1]!.map((index) => rows[index]!);
}
