import { waitFor } from '../../src/util/wait.js';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<void> {
  await waitFor(() => (isAlive(pid) ? undefined : true), { what: `process ${pid} to exit`, timeoutMs });
}
