import type { FaultOption } from '../run/seams.js';
import type { KillTriggerSpec } from '../vocabulary/faults.js';

/** A problem with what the user typed: one line, exit code 2, nothing started. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseInteger(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${parsed}`);
  return parsed;
}

/** `acks:40-400` or `delay:200-2000` (milliseconds); a single number means min = max. */
export function parseTrigger(value: string): KillTriggerSpec {
  const match = /^(acks|delay):(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!match) throw new UsageError(`--trigger must look like acks:40-400 or delay:200-2000, got "${value}"`);
  const min = Number(match[2]);
  const max = Number(match[3] ?? match[2]);
  if (max < min) throw new UsageError(`--trigger range is backwards: ${value}`);
  if (match[1] === 'acks') {
    if (min < 1) throw new UsageError('--trigger acks must be at least 1');
    return { kind: 'acks', min, max };
  }
  return { kind: 'delay', minMs: min, maxMs: max };
}

export const TRIGGER_OPTION: FaultOption = {
  flags: '--trigger <spec>',
  description: 'when the fault comes in each cycle: acks:MIN-MAX (acknowledged inserts) or delay:MIN-MAX (ms); for kill-mid-flush and corrupt-*, the warmup before the flush',
  key: 'trigger',
};

export function parseTriggerFlag(flags: Readonly<Record<string, unknown>>): KillTriggerSpec | undefined {
  return typeof flags.trigger === 'string' ? parseTrigger(flags.trigger) : undefined;
}
