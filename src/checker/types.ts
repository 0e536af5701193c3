export type { CheckResult, CoverageGap, CoverageGapKind, Finding, FlushStuckReason, Scope, StorageInspectionMoment, Violation, ViolationKind } from '../vocabulary/violations.js';
