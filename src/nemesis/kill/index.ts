import type { NemesisDefinition } from '../../run/seams.js';
import type { KillFault } from '../../vocabulary/faults.js';
import { killNow, recordCrash, untilTrigger } from '../crash.js';
import { planKillTriggers } from '../kill-trigger.js';
import { TRIGGER_OPTION, parseTriggerFlag } from '../options.js';

/** SIGKILL while the writers insert, after a seeded number of acknowledgements or a delay. */
export const kill: NemesisDefinition<KillFault> = {
  kind: 'kill',
  summary: 'SIGKILL mid-INSERT at a seeded moment of each cycle',
  crashes: true,
  options: [TRIGGER_OPTION],
  parse: (spec, flags) => {
    const trigger = parseTriggerFlag(flags);
    return trigger ? { ...spec, trigger } : spec;
  },
  create(spec, { config, random }) {
    const schedule = planKillTriggers(spec.trigger, random, config.cycles);
    return {
      kind: 'kill',
      schedule,
      async crash(ctx, cycle, traffic) {
        const ended = await untilTrigger(ctx, traffic, schedule[cycle - 1]!);
        return recordCrash(ctx, cycle, 'kill', traffic, await killNow(ctx, cycle, traffic, ended, spec.signal));
      },
    };
  },
};
