/**
 * What must still happen when the tool is forced to exit at once (a second Ctrl+C, or a first one
 * the campaign could not honour in time): synchronous, best effort, each step on its own.
 */
const steps = new Set<() => void>();

/** Registers a step; the returned function removes it. */
export function onEmergencyExit(step: () => void): () => void {
  steps.add(step);
  return () => steps.delete(step);
}

export function runEmergencyExit(): void {
  for (const step of [...steps]) {
    steps.delete(step);
    try {
      step();
    } catch {
      // a full disk may refuse this step; the others still run
    }
  }
}
