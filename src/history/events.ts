export type { EventOf, HistoryEvent, HistoryEventType, RequestOutcome } from '../vocabulary/events.js';
