import type { Judge, JudgeOutput } from '../run/seams.js';
import type { EventOf, HistoryEvent } from '../vocabulary/events.js';
import type { WorkloadName } from '../vocabulary/scenario.js';

/** What a workload's checker does with the events of its own workload; `foldWorkload` routes them. */
export interface WorkloadFold {
  /** Every event, before it is routed (a fold that orders operations by history position counts here). */
  readonly each?: (event: HistoryEvent) => void;
  /** A request of this workload. */
  readonly request?: (event: EventOf<'request'>) => void;
  /** Any response: a fold ignores the request ids it does not know. */
  readonly response?: (event: EventOf<'response'>) => void;
  /** The writers of a cycle stopped: requests of it still unanswered died with the server. */
  readonly writersStopped?: (cycle: number) => void;
  /** A check read-back of this workload's scopes. */
  readonly readBack?: (event: EventOf<'read-back'>) => void;
  /** The cycle's verdict. */
  readonly cycleEnd: (cycle: number) => JudgeOutput[];
  /** Cycles still open after the last event. */
  readonly finish?: () => JudgeOutput[];
}

/** A Judge over the history that hands a workload's fold only the events it is about. */
export function foldWorkload(workload: WorkloadName, fold: WorkloadFold): Judge {
  return {
    observe(event) {
      fold.each?.(event);
      switch (event.type) {
        case 'request':
          if (event.op?.workload === workload) fold.request?.(event);
          return [];
        case 'response':
          fold.response?.(event);
          return [];
        case 'writers-stopped':
          fold.writersStopped?.(event.cycle);
          return [];
        case 'read-back':
          if (event.workload === workload && event.purpose === 'check') fold.readBack?.(event);
          return [];
        case 'cycle-end':
          return fold.cycleEnd(event.cycle);
        default:
          return [];
      }
    },
    finish: () => fold.finish?.() ?? [],
  };
}
