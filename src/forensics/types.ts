export type { LostPlacement, LostRange, LostRowsForensics, SegmentLocation } from '../vocabulary/violations.js';
export type { LossForensics, ScopeForensics } from '../vocabulary/events.js';
