/**
 * Run-time helpers of the elementwise operators' reference semantics (`reference` of src/ops/binary/ and
 * src/ops/unary/, run by the reference interpreter, src/reference/):
 *   - `clampTo`;
 *   - `broadcastOffsets`: for each output element, the element of each input it reads (numpy
 *     broadcasting), computed once per call so that the loops of the operators index typed arrays only.
 */

import { elementCount } from '../../ir/graph.js';

/** Saturates v to [lo, hi]. */
export function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The element each output element reads from two inputs broadcast to `out` (numpy rules); undefined when both have the output's element count. */
export function broadcastOffsets(a: readonly number[], b: readonly number[], out: readonly number[]): { ia: Int32Array; ib: Int32Array } | undefined {
  const count = elementCount(out);
  if (elementCount(a) === count && elementCount(b) === count) return undefined;
  const rank = out.length;
  const strides = (shape: readonly number[]): number[] => {
    const s = new Array<number>(rank).fill(0);
    let step = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1) s[rank - shape.length + i] = step;
      step *= shape[i];
    }
    return s;
  };
  const sa = strides(a);
  const sb = strides(b);
  const ia = new Int32Array(count);
  const ib = new Int32Array(count);
  const idx = new Array<number>(rank).fill(0);
  let pa = 0;
  let pb = 0;
  for (let o = 0; o < count; o++) {
    ia[o] = pa;
    ib[o] = pb;
    for (let d = rank - 1; d >= 0; d--) {
      pa += sa[d];
      pb += sb[d];
      if (++idx[d] < out[d]) break;
      pa -= sa[d] * out[d];
      pb -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
  return { ia, ib };
}
