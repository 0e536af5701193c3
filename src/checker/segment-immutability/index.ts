import type { CampaignContext, CheckerDefinition, JudgeOutput } from '../../run/seams.js';
import { hashCommittedSegments } from '../../storage/segment-hashes.js';
import type { StorageInspectionMoment, Violation } from '../../vocabulary/violations.js';
import { SEGMENT_IMMUTABILITY, SegmentImmutability } from './fold.js';

function checkName(when: StorageInspectionMoment): string {
  return when === 'after-crash' ? `${SEGMENT_IMMUTABILITY}-after-crash` : when === 'end' ? `${SEGMENT_IMMUTABILITY}-at-end` : SEGMENT_IMMUTABILITY;
}

/** A committed segment name keeps its content for good: a reused name is an overwrite. */
export const segmentImmutability: CheckerDefinition = {
  name: 'segment-immutability',
  summary: 'a committed parquet segment name never changes content',
  probes: () => {
    const seen = new SegmentImmutability();
    const hash = async (ctx: CampaignContext, cycle: number, when: StorageInspectionMoment): Promise<void> => {
      const hashes = await hashCommittedSegments(ctx.dataDir);
      for (const event of seen.sightings(hashes, cycle, when)) {
        ctx.record(event);
        seen.note(event);
      }
      ctx.record({ type: 'segments-hashed', cycle, when, segments: hashes.length });
    };
    return {
      'after-crash': (ctx, cycle) => hash(ctx, cycle, 'after-crash'),
      'after-restart': (ctx, cycle) => hash(ctx, cycle, 'after-restart'),
      end: (ctx, cycle) => hash(ctx, cycle, 'end'),
    };
  },
  judge() {
    const fold = new SegmentImmutability();
    let found: Violation[] = [];
    return {
      observe(event): JudgeOutput[] {
        found.push(...fold.note(event));
        if (event.type !== 'segments-hashed') return [];
        const violations = found;
        found = [];
        return [{ check: checkName(event.when), cycle: event.cycle, violations, stats: { segments: event.segments } }];
      },
      finish: () => [],
    };
  },
};
