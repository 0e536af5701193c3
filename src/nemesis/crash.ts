import type { CampaignContext, CrashReport, Traffic } from '../run/seams.js';
import { tailFile } from '../target/supervisor.js';
import { abortPromise } from '../util/abort.js';
import { withDeadline } from '../util/wait.js';
import type { KillTrigger } from '../vocabulary/faults.js';
import { triggerFired } from './kill-trigger.js';

export type TrafficEnd = 'trigger' | 'server-exit' | 'writers-finished' | 'deadline';

/** Waits for the cycle's trigger, or whatever ends the traffic first: the server's exit, the writers giving up, the deadline. */
export async function untilTrigger(ctx: CampaignContext, traffic: Traffic, trigger: KillTrigger): Promise<TrafficEnd> {
  const fire = triggerFired(trigger, traffic.acks);
  let deadlineTimer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fire.fired.then(() => 'trigger' as const),
      ctx.server().exited.then(() => 'server-exit' as const),
      traffic.finished.then(() => 'writers-finished' as const),
      new Promise<'deadline'>((resolve) => (deadlineTimer = setTimeout(() => resolve('deadline'), ctx.config.timeouts.cycleMs))),
      abortPromise(ctx.signal),
    ]);
  } finally {
    clearTimeout(deadlineTimer);
    fire.cancel();
  }
}

/** The server exited while nobody was killing it: recorded with its last words. */
export async function recordUnexpectedExit(ctx: CampaignContext, cycle: number): Promise<void> {
  const server = ctx.server();
  const exit = await server.exited;
  ctx.record({ type: 'unexpected-exit', cycle, incarnation: server.incarnation, exitCode: exit.exitCode, signal: exit.signal, stderrTail: await tailFile(server.stderrPath, 20) });
}

/** The fault's outcome in the history (`kill` and `fault`), then waits until the server has exited. */
export async function recordCrash(ctx: CampaignContext, cycle: number, fault: string, traffic: Traffic, crash: CrashReport): Promise<CrashReport> {
  ctx.record({ type: 'kill', cycle, incarnation: ctx.incarnation(), signal: crash.signal, acksThisCycle: traffic.acks.value(), inFlight: crash.inFlight });
  ctx.record({ type: 'fault', cycle, fault, signal: crash.signal, delivered: crash.delivered, acksThisCycle: traffic.acks.value(), inFlight: crash.inFlight, atMs: crash.atMs, description: crash.description });
  if (crash.endedBy === 'writers-finished') ctx.record({ type: 'writers-gave-up', cycle, acksThisCycle: traffic.acks.value() });
  ctx.setStep(`cycle ${cycle}: wait for exit`);
  const exit = await withDeadline(ctx.server().exited, `server exit after ${crash.signal}`, ctx.config.timeouts.exitMs);
  ctx.record({ type: 'server-exit', incarnation: ctx.incarnation(), exitCode: exit.exitCode, signal: exit.signal, expected: crash.delivered });
  return crash;
}

/** Stop issuing new requests, then signal in the same tick: the requests in flight stay in flight. */
export async function killNow(ctx: CampaignContext, cycle: number, traffic: Traffic, ended: TrafficEnd, signal: NodeJS.Signals): Promise<CrashReport> {
  traffic.stop();
  const inFlight = traffic.inFlight();
  const server = ctx.server();
  const delivered = ended !== 'server-exit' && !server.hasExited();
  if (delivered) server.signal(signal);
  const atMs = ctx.elapsedMs();
  if (ended === 'server-exit') await recordUnexpectedExit(ctx, cycle);
  const acks = traffic.acks.value();
  const description = !delivered ? 'server exited on its own before the fault' : `${signal} after ${acks} acks with ${inFlight} in flight` + (ended === 'trigger' ? '' : ` (${ended})`);
  return { delivered, signal, inFlight, description, atMs, ...(ended !== 'trigger' ? { endedBy: ended } : {}) };
}
