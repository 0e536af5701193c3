/**
 * Deliberately seeded defects of the reference server, each off by default. A correct chaos tool
 * must catch every one of them; `kalam-chaos selftest` proves it does.
 */
export const DEFECTS = {
  'ack-before-write': 'acknowledge an INSERT at once and append it to the WAL --ack-delay-ms later, from memory',
} as const satisfies Record<string, string>;

export type DefectName = keyof typeof DEFECTS;

export function isDefectName(name: string): name is DefectName {
  return Object.hasOwn(DEFECTS, name);
}
