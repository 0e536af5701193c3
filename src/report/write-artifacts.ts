import { createReadStream, type ReadStream } from 'node:fs';
import { open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { renderHtmlReport, slimHistoryRecord, type HistoryRecord, type LogTails } from './html.js';
import { renderJunit } from './junit.js';
import type { RunResult } from './result.js';

export const JUNIT_FILE = 'junit.xml';
export const HTML_REPORT_FILE = 'report.html';
const LOG_TAIL_LINES = 40;
const LOG_TAIL_BYTES = 64 * 1024;

/** Reads result.json of a run folder; throws with the path when it is missing or not a run result. */
export async function readRunResult(runDir: string): Promise<RunResult> {
  const path = join(runDir, 'result.json');
  const parsed = JSON.parse(await readFile(path, 'utf8')) as RunResult;
  if (!parsed || typeof parsed !== 'object' || typeof parsed.scenario !== 'string' || !Array.isArray(parsed.cycles)) {
    throw new Error(`${path} is not a kalam-chaos result`);
  }
  return parsed;
}

/** The events the report needs, streamed from history.ndjson (a torn last line is skipped). */
export async function readReportHistory(path: string): Promise<HistoryRecord[]> {
  const records: HistoryRecord[] = [];
  let stream: ReadStream;
  try {
    stream = createReadStream(path, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch {
    return records;
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (!parsed || typeof parsed !== 'object') continue;
    const record = slimHistoryRecord(parsed as Record<string, unknown>);
    if (record) records.push(record);
  }
  return records;
}

async function tailLines(path: string): Promise<string[]> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const start = Math.max(0, size - LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // a partial first line
    return lines.filter((line) => line.length > 0).slice(-LOG_TAIL_LINES);
  } catch {
    return [];
  } finally {
    await handle?.close();
  }
}

/** The last lines of stdout.log and stderr.log of every servers/incarnation-N folder. */
export async function readLogTails(runDir: string): Promise<LogTails> {
  const tails: LogTails = {};
  const serversDir = join(runDir, 'servers');
  const entries = await readdir(serversDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = /^incarnation-(\d+)$/.exec(entry);
    if (!match) continue;
    const dir = join(serversDir, entry);
    const stdout = await tailLines(join(dir, 'stdout.log'));
    const stderr = await tailLines(join(dir, 'stderr.log'));
    tails[Number(match[1])] = [...stdout.map((line) => `[stdout] ${line}`), ...stderr.map((line) => `[stderr] ${line}`)];
  }
  return tails;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, path);
}

/** Writes junit.xml and report.html into a run folder from its result.json, history.ndjson and server logs. */
export async function writeReportArtifacts(runDir: string): Promise<{ junit: string; html: string }> {
  const result = await readRunResult(runDir);
  const history = await readReportHistory(join(runDir, 'history.ndjson'));
  const logTails = await readLogTails(runDir);
  const junit = join(runDir, JUNIT_FILE);
  const html = join(runDir, HTML_REPORT_FILE);
  await writeAtomically(junit, renderJunit(result));
  await writeAtomically(html, renderHtmlReport(result, history, logTails));
  return { junit, html };
}
