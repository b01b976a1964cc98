/**
 * Limits on what a model may declare, checked at import before anything is allocated from its sizes.
 *
 * - A tensor (input, weight, folded constant or intermediate) may not be larger than the largest memory
 *   of any board in boards/ (MAX_TENSOR_BYTES: 16 MiB, qemu-mps2-an500's PSRAM): no board could hold it,
 *   so a shape like [1e9, 2] or a batch of 65,536 is refused in milliseconds, naming the limit.
 * - All constant data made at import (initializers and folded values) together at most
 *   MAX_CONSTANT_BYTES (256 MiB): a few bytes of model cannot fold into gigabytes.
 * - Constant folding spends at most MAX_FOLD_WORK element operations (each operator's `foldCost`): a
 *   143-byte model folding a MatMul of two ConstantOfShape [1024, 1024] had compiled for 39 s.
 * - Dimensions are integers, positive for graph inputs and ≥ 0 for constants (ONNX allows empty
 *   constants, e.g. an omitted Resize roi) — never negative, never past 2^31 − 1.
 * - The host (a board without memories) takes an arena and weights of at most HOST_MAX_BYTES (1 GiB,
 *   below the 4 GiB of the uint32_t arena offsets): src/emit/fit.ts.
 * Every refusal is one E_MODEL_INVALID line naming the tensor or node.
 */

import { fail } from '../diagnostics.js';
import { DType, bytesOf } from '../ir/dtype.js';
import { boardNames, loadBoard } from '../emit/boards.js';

export const MAX_CONSTANT_BYTES = 256 * 1024 * 1024;
/** Element operations constant folding may spend on one model (a MatMul of two 512 × 512 constants is 2^27: about 2 s). */
export const MAX_FOLD_WORK = 2 ** 27;
export const HOST_MAX_BYTES = 1024 * 1024 * 1024;
const MAX_DIM = 2 ** 31 - 1;

let largest: { bytes: number; where: string } | undefined;

/** The largest memory of any board: what no tensor may exceed. */
export function largestMemory(): { bytes: number; where: string } {
  if (!largest) {
    largest = { bytes: 0, where: '' };
    for (const name of boardNames()) {
      for (const m of loadBoard(name).memories) {
        if (m.size > largest.bytes) largest = { bytes: m.size, where: `${name}'s ${m.name}` };
      }
    }
  }
  return largest;
}

export function maxTensorBytes(): number {
  return largestMemory().bytes;
}

/**
 * Checks a shape before anything is allocated from it. `what` names the tensor ("initializer 'w'",
 * "graph input 'x'", "node 'c' (Conv): output 0"); names in it are already quoted.
 */
export function checkTensorShape(shape: readonly number[], dtype: DType, what: string, opts: { allowZero?: boolean } = {}): void {
  shape.forEach((d, i) => {
    if (!Number.isInteger(d) || d < (opts.allowZero ? 0 : 1) || d > MAX_DIM) {
      const rule = opts.allowZero ? 'integers from 0 to 2147483647' : 'integers from 1 to 2147483647';
      fail('E_MODEL_INVALID', `${what} has shape [${shape.join(',')}]: dimension ${i} is ${d}; dimensions must be ${rule}`);
    }
  });
  let bytes = bytesOf(dtype);
  for (const d of shape) bytes *= d;
  const limit = largestMemory();
  if (bytes > limit.bytes) {
    fail(
      'E_MODEL_INVALID',
      `${what} ${dtype}[${shape.join(',')}] needs ${bytes} bytes, more than the ${limit.bytes} bytes of the largest memory of any board (${limit.where})`,
    );
  }
}

/** Counts constant bytes made at import against MAX_CONSTANT_BYTES, and folding work against MAX_FOLD_WORK. */
export class ConstantBudget {
  private used = 0;
  private work = 0;

  fold(operations: number, what: string): void {
    this.work += operations;
    if (!(this.work <= MAX_FOLD_WORK)) {
      fail('E_MODEL_INVALID', `${what}: folding the model's constants at compile time takes more than ${MAX_FOLD_WORK} element operations (this node: ${operations})`);
    }
  }

  add(bytes: number, what: string): void {
    this.used += bytes;
    if (this.used > MAX_CONSTANT_BYTES) {
      fail('E_MODEL_INVALID', `${what}: the model's constant data (weights and folded values) exceeds ${MAX_CONSTANT_BYTES} bytes`);
    }
  }
}
