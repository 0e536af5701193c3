/** The nightly matrix: one row per campaign `scripts/nightly` runs, in the order it runs them. */
import { basename } from 'node:path';

export interface MatrixRow {
  readonly scenario: string;
  readonly seed: number;
  /** Run flags of this row alone (an upgrade row's binaries). */
  readonly extraArgs?: readonly string[];
  /** How summaries name the row when the scenario alone does not say it. */
  readonly label?: string;
}

export interface MatrixSpec {
  readonly scenarios: readonly string[];
  readonly seeds: readonly number[];
  readonly upgradePairs?: readonly { readonly from: string; readonly to: string }[];
}

/** Scenarios × seeds, then an upgrade row per binary pair and seed. */
export function nightlyMatrix(spec: MatrixSpec): MatrixRow[] {
  const rows: MatrixRow[] = spec.scenarios.flatMap((scenario) => spec.seeds.map((seed) => ({ scenario, seed })));
  for (const pair of spec.upgradePairs ?? []) {
    for (const seed of spec.seeds) {
      rows.push({ scenario: 'upgrade', seed, extraArgs: ['--from-bin', pair.from, '--to-bin', pair.to], label: `upgrade ${basename(pair.from)} → ${basename(pair.to)}` });
    }
  }
  return rows;
}

/** "kill-mid-insert seed 2": the row as summaries and `--list` name it. */
export function describeRow(row: MatrixRow): string {
  return `${row.label ?? row.scenario} seed ${row.seed}`;
}
