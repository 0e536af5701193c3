import type { NemesisDefinition } from '../run/seams.js';
import type { FaultKind, FaultSpec } from '../vocabulary/faults.js';
import { corrupt } from './corrupt/index.js';
import { flushKill } from './flush-kill/index.js';
import { kill } from './kill/index.js';
import { powerCut } from './power-cut/index.js';
import { upgrade } from './upgrade/index.js';

/** Every fault by kind. A scenario composes them; exactly one of a campaign's faults crashes the server. */
export const NEMESES: { readonly [K in FaultKind]: NemesisDefinition<Extract<FaultSpec, { kind: K }>> } = {
  kill,
  'flush-kill': flushKill,
  corrupt,
  'power-cut': powerCut,
  upgrade,
};

export function nemesisDefinition<S extends FaultSpec>(spec: S): NemesisDefinition<S> {
  return NEMESES[spec.kind] as unknown as NemesisDefinition<S>;
}
