import type { CoverageGap, Violation } from '../vocabulary/violations.js';
import type { RunResult, ViolationRecord } from './result.js';
import { coverageGaps, cyclesSeen, describeCycleList, describeInconclusive, describePersistence, describeViolation, recordId } from './summary.js';

/** One line of history.ndjson as parsed: `event` is the type, `t` the ms since the run started. */
export interface HistoryRecord {
  readonly event: string;
  readonly t: number;
  readonly time?: string;
  readonly [field: string]: unknown;
}

/** The last lines of each incarnation's output, by incarnation index (`[stdout] ` / `[stderr] ` prefixed). */
export type LogTails = Record<number, string[]>;

/** Event types the report draws from; everything else in the history is left out of memory. */
export const REPORT_EVENT_TYPES: ReadonlySet<string> = new Set([
  'run-start',
  'run-end',
  'request',
  'response',
  'resources',
  'kill',
  'server-start',
  'server-ready',
  'server-exit',
  'flush-kill',
  'flush-landed',
  'corruption',
  'error',
]);

/** Keeps what the report needs of a history line: a request's id list becomes its row count. */
export function slimHistoryRecord(record: Record<string, unknown>): HistoryRecord | undefined {
  const event = record.event;
  const t = record.t;
  if (typeof event !== 'string' || typeof t !== 'number' || !Number.isFinite(t)) return undefined;
  if (!REPORT_EVENT_TYPES.has(event)) return undefined;
  if (event === 'request') {
    return { event, t, requestId: record.requestId, cycle: record.cycle, rowCount: Array.isArray(record.ids) ? record.ids.length : 1 };
  }
  if (event === 'response') return { event, t, requestId: record.requestId, cycle: record.cycle, outcome: record.outcome };
  if (event === 'run-start') return { event, t };
  return { ...record, event, t };
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Log lines may echo configuration: values after secret-looking keys are blanked. */
export function redactSecrets(line: string): string {
  return line.replace(
    /((?:password|passwd|secret|token|authorization|jwt)[A-Za-z_]*["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic)\s+)?[^\s"',;}]+/gi,
    '$1[redacted]',
  );
}

// ---------------------------------------------------------------------------------------------
// Timeline

interface Point {
  readonly t: number;
  readonly v: number;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: Point[];
  readonly step?: boolean;
  readonly dots?: boolean;
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: Series[];
  readonly format?: (value: number) => string;
}

interface Marker {
  readonly t: number;
  readonly kind: 'kill' | 'restart' | 'crash' | 'flush-kill' | 'flush-landed' | 'corruption' | 'error';
  readonly label: string;
}

const MARKER_STYLE: Record<Marker['kind'], { color: string; dash?: string; legend: string }> = {
  kill: { color: '#d62728', legend: 'kill' },
  restart: { color: '#2ca02c', dash: '4 3', legend: 'restart (server ready)' },
  crash: { color: '#8c0000', dash: '2 2', legend: 'unexpected server exit' },
  'flush-kill': { color: '#ff7f0e', legend: 'flush-kill' },
  'flush-landed': { color: '#ff7f0e', dash: '1 3', legend: 'flush landed (classified)' },
  corruption: { color: '#9467bd', legend: 'corruption' },
  error: { color: '#111111', dash: '6 2', legend: 'error' },
};

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * A loosely typed history field as text for a label: strings, numbers, booleans, bigints, undefined and null
 * come out as a template literal would print them; anything else (objects, arrays) as JSON.
 */
function text(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol') return value.toString();
  // Records come from JSON, so this is an object or an array; a function (never parsed) would give undefined.
  return JSON.stringify(value) ?? '';
}

function chooseBinMs(spanMs: number): number {
  for (const bin of [100, 200, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000]) if (spanMs / bin <= 240) return bin;
  return Math.ceil(spanMs / 240);
}

function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** Beyond this many changes the in-flight line is drawn as each bin's maximum, to keep the page small. */
const MAX_STEP_POINTS = 4000;
/** Resource series longer than this are drawn as lines without a dot per sample. */
const MAX_DOTS = 600;

function binnedMaximum(points: readonly Point[], binMs: number, bins: number, spanMs: number): Point[] {
  const maxima = new Array<number>(bins).fill(0);
  let current = 0;
  let index = 0;
  for (let bin = 0; bin < bins; bin++) {
    const end = (bin + 1) * binMs;
    let max = current;
    while (index < points.length && points[index]!.t < end) {
      current = points[index]!.v;
      max = Math.max(max, current);
      index++;
    }
    maxima[bin] = max;
  }
  return maxima.flatMap((v, bin) => [{ t: bin * binMs, v }, { t: Math.min(spanMs, (bin + 1) * binMs), v }]);
}

const binnedLabel = (binned: boolean, binMs: number) => (binned ? `in flight (max per ${binMs} ms)` : 'in flight');

function buildTimeline(history: readonly HistoryRecord[], result: RunResult): { panels: Panel[]; markers: Marker[]; spanMs: number } {
  const events = [...history].sort((a, b) => a.t - b.t);
  const lastT = events.length ? events[events.length - 1]!.t : 0;
  const spanMs = Math.max(lastT, num(result.durationMs) ?? 0, 1);
  const binMs = chooseBinMs(spanMs);
  const bins = Math.max(1, Math.ceil(spanMs / binMs));

  const rowsOfRequest = new Map<unknown, number>();
  const acked = new Array<number>(bins).fill(0);
  const inFlightPoints: Point[] = [{ t: 0, v: 0 }];
  let inFlight = 0;
  const open = new Set<unknown>();
  const cpu = new Map<number, Point[]>();
  const memory = new Map<number, Point[]>();
  const markers: Marker[] = [];
  const landedByCycle = new Map<unknown, string>();
  for (const event of events) if (event.event === 'flush-landed') landedByCycle.set(event.cycle, String(event.landed));

  for (const event of events) {
    switch (event.event) {
      case 'request': {
        const rows = num(event.rowCount) ?? (Array.isArray(event.ids) ? event.ids.length : 1);
        rowsOfRequest.set(event.requestId, rows);
        if (!open.has(event.requestId)) {
          open.add(event.requestId);
          inFlight++;
          inFlightPoints.push({ t: event.t, v: inFlight });
        }
        break;
      }
      case 'response': {
        if (event.outcome === 'acknowledged') {
          const bin = Math.min(bins - 1, Math.max(0, Math.floor(event.t / binMs)));
          acked[bin]! += rowsOfRequest.get(event.requestId) ?? 1;
        }
        if (open.delete(event.requestId)) {
          inFlight--;
          inFlightPoints.push({ t: event.t, v: inFlight });
        }
        break;
      }
      case 'resources': {
        const incarnation = num(event.incarnation) ?? 0;
        const cpuPercent = num(event.cpuPercent);
        const memoryBytes = num(event.memoryBytes);
        if (cpuPercent !== undefined) cpu.set(incarnation, [...(cpu.get(incarnation) ?? []), { t: event.t, v: cpuPercent }]);
        if (memoryBytes !== undefined) memory.set(incarnation, [...(memory.get(incarnation) ?? []), { t: event.t, v: memoryBytes / (1024 * 1024) }]);
        break;
      }
      case 'kill':
        markers.push({
          t: event.t,
          kind: 'kill',
          label: `kill cycle ${text(event.cycle)}: ${text(event.signal ?? '')} incarnation ${text(event.incarnation)} after ${text(event.acksThisCycle)} acks, ${text(event.inFlight)} in flight`,
        });
        break;
      case 'server-ready':
        markers.push({ t: event.t, kind: 'restart', label: `incarnation ${text(event.incarnation)} ready (${text(event.readyMs)} ms)` });
        break;
      case 'server-exit':
        if (event.expected === false) {
          markers.push({ t: event.t, kind: 'crash', label: `incarnation ${text(event.incarnation)} exited on its own (code ${text(event.exitCode)}, signal ${text(event.signal)})` });
        }
        break;
      case 'flush-kill':
        markers.push({
          t: event.t,
          kind: 'flush-kill',
          label: `flush-kill cycle ${text(event.cycle)}: ${text(event.table)} aimed at ${text(event.intended)} (${text(event.trigger)})` +
            (landedByCycle.has(event.cycle) ? `, landed ${landedByCycle.get(event.cycle)}` : ''),
        });
        break;
      case 'flush-landed':
        markers.push({ t: event.t, kind: 'flush-landed', label: `flush cycle ${text(event.cycle)} landed ${text(event.landed)} (intended ${text(event.intended)})` });
        break;
      case 'corruption': {
        const corruption = event.corruption as { file?: unknown; kind?: unknown } | undefined;
        const what = [
          corruption && typeof corruption === 'object' ? `${text(corruption.file)}:${text(corruption.kind)}` : undefined,
          ...['path', 'detail', 'message'].map((key) => event[key]),
        ].filter((value) => typeof value === 'string');
        markers.push({ t: event.t, kind: 'corruption', label: `corruption${event.cycle !== undefined ? ` cycle ${text(event.cycle)}` : ''}: ${what.join(' ')}` });
        break;
      }
      case 'error':
        markers.push({ t: event.t, kind: 'error', label: `error during ${text(event.step)}: ${text(event.message)}` });
        break;
    }
  }
  inFlightPoints.push({ t: spanMs, v: inFlight });
  const inFlightSeries = inFlightPoints.length <= MAX_STEP_POINTS ? inFlightPoints : binnedMaximum(inFlightPoints, binMs, bins, spanMs);

  const ackPoints: Point[] = [];
  for (let index = 0; index < bins; index++) {
    const rate = (acked[index]! * 1000) / binMs;
    ackPoints.push({ t: index * binMs, v: rate }, { t: Math.min(spanMs, (index + 1) * binMs), v: rate });
  }
  const palette = ['#1f77b4', '#17becf', '#bcbd22', '#e377c2', '#7f7f7f', '#8c564b'];
  const perIncarnation = (map: Map<number, Point[]>, unit: string): Series[] =>
    [...map.entries()].sort(([a], [b]) => a - b).map(([incarnation, points]) => ({
      label: `incarnation ${incarnation} ${unit}`,
      color: palette[incarnation % palette.length]!,
      points,
      dots: true,
    }));
  const panels: Panel[] = [
    { title: `acknowledged rows per second (${binMs} ms bins)`, unit: 'rows/s', series: [{ label: 'acknowledged rows/s', color: '#1f77b4', points: ackPoints }] },
    { title: 'requests in flight', unit: 'requests', series: [{ label: binnedLabel(inFlightSeries !== inFlightPoints, binMs), color: '#9467bd', points: inFlightSeries, step: true }] },
    { title: 'server CPU %', unit: '%', series: perIncarnation(cpu, 'CPU %') },
    { title: 'server memory (RSS, MiB)', unit: 'MiB', series: perIncarnation(memory, 'MiB'), format: (value) => value.toFixed(0) },
  ];
  return { panels, markers, spanMs };
}

const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const seconds = (ms: number) => String(Number((ms / 1000).toFixed(3)));

function renderTimelineSvg(history: readonly HistoryRecord[], result: RunResult): string {
  const { panels, markers, spanMs } = buildTimeline(history, result);
  const width = 1000;
  const left = 70;
  const right = 20;
  const markerBand = 18;
  const top = 10 + markerBand;
  const panelHeight = 120;
  const gap = 34;
  const plotWidth = width - left - right;
  const height = top + panels.length * (panelHeight + gap) + 10;
  const x = (t: number) => left + (Math.max(0, Math.min(spanMs, t)) / spanMs) * plotWidth;
  const parts: string[] = [];
  parts.push(
    `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="run timeline" data-span-ms="${spanMs}" data-left="${left}" data-plot-width="${plotWidth}">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  // Time ticks.
  const tickMs = niceCeil(spanMs / 10);
  panels.forEach((panel, index) => {
    const y0 = top + index * (panelHeight + gap);
    const yBottom = y0 + panelHeight;
    const max = niceCeil(Math.max(0, ...panel.series.flatMap((series) => series.points.map((point) => point.v))));
    const y = (value: number) => yBottom - (Math.max(0, value) / max) * panelHeight;
    const format = panel.format ?? fmt;
    parts.push(`<g class="panel" data-panel="${escapeHtml(panel.title)}">`);
    parts.push(`<text x="${left}" y="${y0 - 6}" class="panel-title">${escapeHtml(panel.title)}</text>`);
    parts.push(`<rect x="${left}" y="${y0}" width="${plotWidth}" height="${panelHeight}" fill="#fafafa" stroke="#ccc"/>`);
    for (const fraction of [0, 0.5, 1]) {
      const value = max * fraction;
      parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e5e5"/>`);
      parts.push(`<text x="${left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(format(value))}</text>`);
    }
    for (let t = 0; t <= spanMs; t += tickMs) {
      parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${yBottom}" y2="${yBottom + 4}" stroke="#999"/>`);
      parts.push(`<text x="${x(t).toFixed(1)}" y="${yBottom + 15}" text-anchor="middle" class="tick">${seconds(t)} s</text>`);
    }
    if (panel.series.every((series) => series.points.length === 0)) {
      parts.push(`<text x="${left + plotWidth / 2}" y="${y0 + panelHeight / 2}" text-anchor="middle" class="empty">no samples</text>`);
    }
    for (const series of panel.series) {
      if (series.points.length === 0) continue;
      // A lone sample (a short-lived incarnation) is drawn as a point only.
      if (series.points.length > 1 || !series.dots) {
        let d = '';
        series.points.forEach((point, index) => {
          const px = x(point.t).toFixed(1);
          const py = y(point.v).toFixed(1);
          d += index === 0 ? `M${px},${py}` : series.step ? `H${px}V${py}` : `L${px},${py}`;
        });
        parts.push(`<path class="series" d="${d}" fill="none" stroke="${series.color}" stroke-width="1.6"><title>${escapeHtml(series.label)}</title></path>`);
      }
      if (series.dots && series.points.length <= MAX_DOTS) {
        for (const point of series.points) {
          parts.push(
            `<circle class="point" cx="${x(point.t).toFixed(1)}" cy="${y(point.v).toFixed(1)}" r="2.5" fill="${series.color}"><title>${escapeHtml(`${series.label}: ${format(point.v)} ${panel.unit} at ${fmt(point.t / 1000)} s`)}</title></circle>`,
          );
        }
      }
    }
    parts.push('</g>');
  });
  // Markers across every panel, labels as tooltips and a short tag in the band at the top.
  const bottom = top + panels.length * (panelHeight + gap) - gap;
  for (const marker of markers) {
    const style = MARKER_STYLE[marker.kind];
    const mx = x(marker.t).toFixed(1);
    parts.push(
      `<g class="marker marker-${marker.kind}" data-kind="${marker.kind}" data-t="${marker.t}"><title>${escapeHtml(`${fmt(marker.t / 1000)} s: ${marker.label}`)}</title>` +
        `<line x1="${mx}" x2="${mx}" y1="${top - markerBand + 4}" y2="${bottom}" stroke="${style.color}" stroke-width="1.4"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>` +
        `<path d="M${mx},${top - 2}l-4,-7h8z" fill="${style.color}"/></g>`,
    );
  }
  parts.push('<line id="cursor" x1="0" x2="0" y1="0" y2="0" stroke="#333" stroke-width="0.8" visibility="hidden"/>');
  parts.push('</svg>');
  const kinds = new Set(markers.map((marker) => marker.kind));
  const legend = [
    ...panels.flatMap((panel) => panel.series.map((series) => `<span><i style="background:${series.color}"></i>${escapeHtml(series.label)}</span>`)),
    ...[...kinds].map((kind) => `<span><i style="background:${MARKER_STYLE[kind].color}"></i>${escapeHtml(MARKER_STYLE[kind].legend)}</span>`),
  ].join(' ');
  const markerList = markers.length
    ? `<details><summary>${markers.length} marker(s)</summary><ul class="markers">${markers
        .map((marker) => `<li><span class="tag" style="border-color:${MARKER_STYLE[marker.kind].color}">${escapeHtml(marker.kind)}</span> ${escapeHtml(fmt(marker.t / 1000))} s: ${escapeHtml(marker.label)}</li>`)
        .join('')}</ul></details>`
    : '';
  return `<div class="legend">${legend}</div><div id="readout" class="readout">&nbsp;</div>${parts.join('\n')}${markerList}`;
}

// ---------------------------------------------------------------------------------------------
// Tables

function renderValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return escapeHtml(String(value));
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return escapeHtml(value.join(', '));
  return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
}

function keyValueTable(rows: Array<[string, unknown]>, className: string): string {
  return `<table class="${className}"><tbody>${rows
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${renderValue(value)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function renderParameters(result: RunResult): string {
  const target = result.target;
  const rows: Array<[string, unknown]> = [
    ['scenario', result.scenario],
    ['seed', result.seed],
    ['verdict', result.verdict],
    ['exit code', result.exitCode],
    ['started', result.startedAt],
    ['finished', result.finishedAt],
    ['duration', `${(result.durationMs / 1000).toFixed(1)} s`],
    ['kalam-chaos', result.tool?.version],
    ...Object.entries(target).map(([key, value]) => [`target.${key}`, value] as [string, unknown]),
    ...Object.entries(result.parameters ?? {}).map(([key, value]) => [`parameters.${key}`, key === 'faults' ? describeFaults(value) : value] as [string, unknown]),
    ['schedule', (result.schedule ?? []).map((trigger) => describeTrigger(trigger))],
    ['requests', result.totals.requests],
    ['rows', result.totals.rows],
    ...(result.rowsGoal ? [['rows goal', result.rowsGoal] as [string, unknown]] : []),
  ];
  return keyValueTable(rows, 'parameters');
}

/** parameters.faults as one line per fault: its kind, then the rest of its spec. */
function describeFaults(faults: unknown): unknown {
  if (!Array.isArray(faults)) return faults;
  return faults.map((fault: unknown) => {
    if (!fault || typeof fault !== 'object') return String(fault);
    const { kind, ...rest } = fault as { kind?: unknown };
    return `${text(kind ?? 'fault')}${Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : ''}`;
  });
}

function describeTrigger(trigger: unknown): string {
  const value = trigger as { kind?: string; acks?: number; delayMs?: number; ms?: number };
  if (value?.kind === 'after-acks') return `after ${value.acks} acks`;
  if (value && typeof value === 'object') {
    const rest = Object.entries(value).filter(([key]) => key !== 'kind').map(([key, item]) => `${key}=${item}`).join(' ');
    return `${value.kind ?? 'trigger'} ${rest}`.trim();
  }
  return String(trigger);
}

function checkNames(result: RunResult): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  for (const cycle of result.cycles) for (const check of cycle.checks) add(check.check);
  for (const record of result.violations) add(record.check);
  return names;
}

function renderChecksTable(result: RunResult, violationIds: Map<ViolationRecord, string>, gaps: readonly CoverageGap[]): string {
  const names = checkNames(result);
  const cycleNumbers = [...new Set([...result.cycles.map((cycle) => cycle.cycle), ...result.violations.flatMap((record) => cyclesSeen(record))])].sort((a, b) => a - b);
  const gapColumn = gaps.some((gap) => gap.cycle !== 0);
  const header = `<tr><th>cycle</th><th>trigger</th><th>fault</th><th>rows ack / indet / failed</th><th>flush / corruption</th><th>restart</th>${names
    .map((name) => `<th>${escapeHtml(name)}</th>`)
    .join('')}${gapColumn ? '<th>coverage</th>' : ''}</tr>`;
  const rows = cycleNumbers.map((number) => {
    const cycle = result.cycles.find((candidate) => candidate.cycle === number);
    const fault = cycle?.fault
      ? `${escapeHtml(cycle.fault.signal)} at ${fmt(cycle.fault.atMs / 1000)} s, ${cycle.fault.acksThisCycle} acks, ${cycle.fault.inFlight} in flight${cycle.fault.delivered ? '' : ' (not delivered)'}`
      : '';
    const flush = cycle?.flush
      ? `${escapeHtml(cycle.flush.table)}: ${escapeHtml(cycle.flush.intended)} → ${escapeHtml(cycle.flush.landed ?? cycle.flush.landedOnDisk ?? '?')}${cycle.flush.asIntended === false ? ' (missed)' : ''}`
      : '';
    const corruption = cycle?.corruption
      ? ` ${escapeHtml(`${cycle.corruption.applied.corruption.file}:${cycle.corruption.applied.corruption.kind} of ${cycle.corruption.applied.path} → ${cycle.corruption.outcome}${cycle.corruption.accepted ? '' : ' (not accepted)'}${cycle.corruption.damageRead ? '' : ' (never read)'}${cycle.corruption.readPaths?.length ? `; read by: ${cycle.corruption.readPaths.map((path) => path.path).join('; ')}` : ''}`)}`
      : '';
    const restart = cycle?.restart ? `incarnation ${cycle.restart.incarnation}, ${cycle.restart.readyMs} ms` : cycle ? 'did not recover' : '';
    const cells = names.map((name) => {
      const check = cycle?.checks.find((candidate) => candidate.check === name);
      // The check's own count (new and persisting violations), linked to the records seen in this cycle.
      const records = result.violations.filter((record) => record.check === name && cyclesSeen(record).includes(number));
      const count = Math.max(typeof check?.violations === 'number' ? check.violations : 0, records.length);
      if (!check && records.length === 0) return '<td class="na">—</td>';
      const ok = (check?.ok ?? true) && count === 0;
      const links = records
        .map((record) => {
          const id = violationIds.get(record)!;
          return record.cycle === number
            ? `<a href="#${escapeHtml(id)}">${escapeHtml(id)}</a>`
            : `<a href="#${escapeHtml(id)}" class="persisting" title="${escapeHtml(`first in cycle ${record.cycle}`)}">${escapeHtml(id)}↻</a>`;
        })
        .join(' ');
      return ok
        ? `<td class="pass" data-check="${escapeHtml(name)}">pass</td>`
        : `<td class="fail" data-check="${escapeHtml(name)}" data-violations="${count}">FAIL (${count}) ${links}</td>`;
    });
    if (gapColumn) {
      const here = gaps.filter((gap) => gap.cycle === number);
      cells.push(
        here.length
          ? `<td class="gap">${here.map((gap) => `<a href="#coverage" title="${escapeHtml(gap.detail)}">${escapeHtml(gap.kind)}</a>`).join(' ')}</td>`
          : '<td class="na">—</td>',
      );
    }
    const rowsText = cycle ? `${cycle.rows.acknowledged} / ${cycle.rows.indeterminate} / ${cycle.rows.failed}` : '';
    return `<tr data-cycle="${number}"><td>${number}</td><td>${cycle ? escapeHtml(describeTrigger(cycle.trigger)) : ''}</td><td>${fault}</td><td>${rowsText}</td><td>${flush}${corruption}</td><td>${restart}</td>${cells.join('')}</tr>`;
  });
  return `<table class="checks"><thead>${header}</thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function violationDetail(violation: Violation): string {
  const parts: string[] = [];
  if ('ids' in violation && Array.isArray(violation.ids)) {
    parts.push(`<div>ids (${violation.ids.length}): <code class="ids">${escapeHtml(violation.ids.join(', '))}</code></div>`);
  }
  if ((violation.kind === 'server-crashed' || violation.kind === 'recovery-failed') && violation.stderrTail.length) {
    parts.push(`<pre class="log">${violation.stderrTail.map((line) => escapeHtml(redactSecrets(line))).join('\n')}</pre>`);
  }
  if (violation.kind === 'recovery-outcome' && violation.evidence.length) {
    parts.push(`<pre class="log">${violation.evidence.map((line) => escapeHtml(redactSecrets(line))).join('\n')}</pre>`);
  }
  if (violation.kind === 'metadata-changed') {
    parts.push(`<div>before: <code>${escapeHtml(JSON.stringify(violation.before))}</code></div><div>after: <code>${escapeHtml(JSON.stringify(violation.after))}</code></div>`);
  }
  return parts.join('');
}

function renderViolations(result: RunResult, violationIds: Map<ViolationRecord, string>, gaps: readonly CoverageGap[]): string {
  if (result.violations.length === 0) {
    return gaps.length > 0 || result.verdict === 'inconclusive'
      ? '<p>No violations, but the run tested too little: see <a href="#coverage">Coverage</a>.</p>'
      : '<p class="ok">No violations: every check held.</p>';
  }
  // Each violation once: the cycle it first appeared in, and the cycles it was still seen in.
  return `<ol class="violations">${result.violations
    .map((record) => {
      const id = escapeHtml(violationIds.get(record)!);
      const seen = cyclesSeen(record);
      const persistence = describePersistence(record);
      return (
        `<li id="${id}" data-kind="${escapeHtml(record.violation.kind)}" data-cycle="${record.cycle}" data-seen-in="${escapeHtml(seen.join(' '))}">` +
        `<b>${id}</b> cycle ${record.cycle} [${escapeHtml(record.check)}] <span class="kind">${escapeHtml(record.violation.kind)}</span>: ${escapeHtml(describeViolation(record.violation))}` +
        (persistence ? ` <span class="persistence">(${escapeHtml(persistence)}; seen in cycles ${escapeHtml(describeCycleList(seen))})</span>` : '') +
        `${violationDetail(record.violation)}</li>`
      );
    })
    .join('\n')}</ol>`;
}

function renderCoverage(result: RunResult, gaps: readonly CoverageGap[]): string {
  const why = result.verdict === 'inconclusive' ? `<p class="inconclusive">INCONCLUSIVE: ${escapeHtml(describeInconclusive(result))}.</p>` : '';
  const items = gaps
    .map(
      (gap) =>
        `<li data-kind="${escapeHtml(gap.kind)}" data-cycle="${gap.cycle}">${gap.cycle === 0 ? 'the run' : `cycle ${gap.cycle}`}: <span class="kind">${escapeHtml(gap.kind)}</span>: ${escapeHtml(gap.detail)}</li>`,
    )
    .join('\n');
  return `${why}${items ? `<ul class="coverage">${items}</ul>` : ''}`;
}

function renderLogs(history: readonly HistoryRecord[], logTails: LogTails): string {
  const incarnations = Object.keys(logTails).map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  if (incarnations.length === 0) return '<p>No server logs were found in the run folder.</p>';
  return incarnations
    .map((incarnation) => {
      const kill = history.find((event) => event.event === 'kill' && event.incarnation === incarnation);
      const exit = history.find((event) => event.event === 'server-exit' && event.incarnation === incarnation);
      const how = kill
        ? `killed in cycle ${text(kill.cycle)} (${text(kill.signal)})`
        : exit && exit.expected === false
          ? `exited on its own (code ${text(exit.exitCode)}, signal ${text(exit.signal)})`
          : exit
            ? 'stopped'
            : 'still running when the history ended';
      const lines = logTails[incarnation] ?? [];
      const body = lines.length
        ? lines.map((line) => `<span class="${line.startsWith('[stderr]') ? 'stderr' : 'stdout'}">${escapeHtml(redactSecrets(line))}</span>`).join('\n')
        : '(no output)';
      return `<section class="incarnation" data-incarnation="${incarnation}"><h3>incarnation ${incarnation}: ${escapeHtml(how)}</h3><pre class="log">${body}</pre></section>`;
    })
    .join('\n');
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:20px auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}h3{font-size:14px;margin:14px 0 4px}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
table.parameters th{background:#f5f5f5;white-space:nowrap}code{font:12px ui-monospace,monospace;word-break:break-all}
td.pass{background:#e6f4ea;color:#1e6b34}td.fail{background:#fde7e7;color:#a50e0e;font-weight:600}td.na{color:#999}
.verdict{padding:2px 10px;border-radius:4px;color:#fff}.verdict-pass{background:#2ca02c}.verdict-fail{background:#d62728}.verdict-inconclusive{background:#b36b00}.verdict-error,.verdict-interrupted{background:#555}
td.gap{background:#fff4e0;color:#8a5300}a.persisting{color:#a50e0e;opacity:.75}.persistence{color:#555}.inconclusive{color:#8a5300;font-weight:600}ul.coverage .kind{font-weight:600;color:#8a5300}
.legend span{margin-right:14px;white-space:nowrap;font-size:12px}.legend i{display:inline-block;width:12px;height:4px;margin:0 4px 3px 0}
svg text.panel-title{font-size:12px;font-weight:600}svg text.tick{font-size:10px;fill:#555}svg text.empty{font-size:12px;fill:#999}
.readout{font:12px ui-monospace,monospace;color:#555;height:16px}.tag{border:1px solid;border-radius:3px;padding:0 4px;font-size:11px}
pre.log{background:#111;color:#ddd;padding:8px;overflow-x:auto;font-size:12px;max-height:400px}pre.log .stderr{color:#ff9b9b}
ol.violations li{margin-bottom:8px}ol.violations .kind{font-weight:600;color:#a50e0e}code.ids{display:block;max-height:160px;overflow:auto;background:#f7f7f7;padding:4px}
.ok{color:#1e6b34}.error{color:#a50e0e;font-weight:600}
`;

// Shows the time under the pointer; no network, no libraries.
const SCRIPT = `
(function(){var svg=document.getElementById('timeline');if(!svg)return;var out=document.getElementById('readout');var cur=document.getElementById('cursor');
var span=+svg.dataset.spanMs,left=+svg.dataset.left,w=+svg.dataset.plotWidth,h=svg.viewBox.baseVal.height;
svg.addEventListener('mousemove',function(e){var p=svg.createSVGPoint();p.x=e.clientX;p.y=e.clientY;var q=p.matrixTransform(svg.getScreenCTM().inverse());
if(q.x<left||q.x>left+w){cur.setAttribute('visibility','hidden');return;}cur.setAttribute('x1',q.x);cur.setAttribute('x2',q.x);cur.setAttribute('y2',h);cur.setAttribute('visibility','visible');
out.textContent='t = '+((q.x-left)/w*span/1000).toFixed(2)+' s';});})();
`;

/** The run as one self-contained HTML page: nothing is fetched, everything is escaped. */
export function renderHtmlReport(result: RunResult, history: readonly HistoryRecord[], logTails: LogTails): string {
  const violationIds = new Map<ViolationRecord, string>(result.violations.map((record, index) => [record, recordId(record, index)]));
  const gaps = coverageGaps(result);
  const coverage = gaps.length > 0 || result.verdict === 'inconclusive' ? `<section id="coverage"><h2>Coverage</h2>${renderCoverage(result, gaps)}</section>\n` : '';
  const title = `kalam-chaos ${result.scenario} seed ${result.seed}: ${result.verdict}`;
  const error = result.error ? `<p class="error">error during "${escapeHtml(result.error.step)}": ${escapeHtml(result.error.message)}</p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>kalam-chaos: ${escapeHtml(result.scenario)} <span class="verdict verdict-${escapeHtml(result.verdict)}">${escapeHtml(result.verdict.toUpperCase())}</span></h1>
<p>seed ${escapeHtml(result.seed)}, target ${escapeHtml(result.target.kind)}, ${result.cycles.length} cycle(s), ${result.violations.length} violation(s), ${gaps.length ? `${gaps.length} coverage gap(s), ` : ''}exit code ${escapeHtml(result.exitCode)}</p>
${error}
<section id="parameters"><h2>Run parameters</h2>${renderParameters(result)}</section>
<section id="timeline-section"><h2>Timeline</h2>${renderTimelineSvg(history, result)}</section>
<section id="checks"><h2>Checks per cycle</h2>${renderChecksTable(result, violationIds, gaps)}</section>
${coverage}<section id="violations"><h2>Violations</h2>${renderViolations(result, violationIds, gaps)}</section>
<section id="logs"><h2>Server output (last lines of each incarnation)</h2>${renderLogs(history, logTails)}</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
