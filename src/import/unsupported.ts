/**
 * "Say everything at once": the importers collect every operator of a model that no operator file
 * imports, before building anything, and fail with one E_UNSUPPORTED_OP line naming each distinct
 * operator once with its nodes (at most NODES_SHOWN of them, then "and N more"), then the supported set.
 */

import { fail } from '../diagnostics.js';

/** Nodes named per unsupported operator; the rest are counted. */
export const NODES_SHOWN = 3;

export interface UnsupportedUse {
  /** Groups uses of the same operator (e.g. the op type with its domain). */
  key: string;
  /** How the operator is named in the message, already quoted (e.g. "'Hardmax'"). */
  what: string;
  /** How the node is named, already quoted (e.g. "'erf_node' (#3)"). */
  node: string;
}

/**
 * Fails with E_UNSUPPORTED_OP when `uses` is not empty. `noun` names a node ('node' for ONNX,
 * 'operator' for TFLite); `describe` may add facts gathered over all uses of an operator (versions).
 */
export function failUnsupported(
  fileName: string,
  uses: UnsupportedUse[],
  noun: string,
  formatName: string,
  supported: readonly string[],
  describe: (key: string, first: UnsupportedUse) => string = (_k, first) => first.what,
): void {
  if (uses.length === 0) return;
  const groups = new Map<string, UnsupportedUse[]>();
  for (const u of uses) {
    const g = groups.get(u.key);
    if (g) g.push(u);
    else groups.set(u.key, [u]);
  }
  const items = [...groups].map(([key, g]) => {
    const shown = g.slice(0, NODES_SHOWN).map((u) => u.node).join(', ');
    const more = g.length > NODES_SHOWN ? ` and ${g.length - NODES_SHOWN} more` : '';
    return `${describe(key, g[0])} at ${noun}${g.length > 1 ? 's' : ''} ${shown}${more}`;
  });
  const head = items.length === 1 ? `operator ${items[0]} is not supported` : `${items.length} operators are not supported: ${items.join('; ')}`;
  fail('E_UNSUPPORTED_OP', `${fileName}: ${head}; supported ${formatName} operators: ${supported.join(', ')}`);
}
