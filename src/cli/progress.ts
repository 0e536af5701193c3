import type { ProgressEvent } from '../run/campaign.js';

/**
 * Progress on stderr: one line per event; on a terminal also a status line kept up to date in place
 * (cycle, acknowledged rows per second, violations so far). --quiet prints only what must be said.
 */
export function progressPrinter(
  quiet: boolean,
  tty = process.stderr.isTTY === true,
  output: (text: string) => void = (text) => process.stderr.write(text),
): (event: ProgressEvent) => void {
  let status = '';
  let last: { at: number; acknowledged: number } | undefined;
  const write = (text: string) => {
    output(text);
  };
  const print = (line: string) => {
    if (quiet) return;
    if (status) write('\r\x1b[2K');
    write(line + '\n');
    if (status) write(status);
  };
  return (event) => {
    switch (event.kind) {
      case 'started':
        return print(
          `run folder ${event.runDir} (target ${event.target}, ` +
            (event.rowsGoal !== undefined ? `until ${event.rowsGoal} rows are acknowledged, at most ${event.cycles} cycles)` : `${event.cycles} cycles)`),
        );
      case 'orphan-stopped':
        if (status) write('\r\x1b[2K');
        write(`kalam-chaos: stopped server pid ${event.pid} left running by an earlier kalam-chaos that was killed (run folder ${event.runDir})\n`);
        return;
      case 'ready':
        return print(`server incarnation ${event.incarnation} ready in ${event.readyMs} ms`);
      case 'fault':
        return print(`cycle ${event.cycle}/${event.cycles}: ${event.description}`);
      case 'checked':
        return print(
          `cycle ${event.cycle}/${event.cycles}: checks ${event.ok ? 'passed' : `found ${event.violations} violation(s)`} ` +
            (event.rows ? `(${event.rows.acknowledged} of ${event.rows.goal} rows acknowledged)` : `(${event.acknowledged} acknowledged rows so far)`),
        );
      case 'tick': {
        if (quiet || !tty) return;
        const now = performance.now();
        const rate = last && now > last.at ? ((event.acknowledged - last.acknowledged) * 1000) / (now - last.at) : 0;
        last = { at: now, acknowledged: event.acknowledged };
        status = `cycle ${event.cycle}/${event.cycles} · ${event.acknowledged} rows acknowledged (${Math.max(0, Math.round(rate))}/s) · ${event.violations} violation(s)`;
        write('\r\x1b[2K' + status);
        return;
      }
      case 'finished':
        if (status) write('\r\x1b[2K');
        status = '';
        return;
    }
  };
}

