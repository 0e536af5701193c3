export {
  inspectDataDir,
  baselineOf,
  VIOLATION_KINDS,
  WARNING_KINDS,
  type Finding,
  type FindingDetails,
  type FindingKind,
  type Inspection,
  type InspectionBaseline,
  type InspectOptions,
  type ScopeSummary,
  type Severity,
} from './inspect.js';
export { formatInspection, formatVerdict, type FormatOptions } from './format.js';
export {
  parseManifest,
  validateManifest,
  stringifyManifest,
  SEGMENT_STATUSES,
  type ColumnStats,
  type Manifest,
  type ParseManifestResult,
  type Segment,
  type SegmentStatus,
  type TableId,
} from './manifest-schema.js';
export { parseJsonExact, JsonSyntaxError, type JsonValue } from './json.js';
