/**
 * Helpers of the int8 operator tests (tests/ops/*-s8.test.ts): quantizations, random int8 data, graphs
 * of several independent int8 nodes (run in one C program by runLoweredMany), and the Cortex-M7 build
 * check of a list of kernels.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Graph, Node, Quant, elementCount } from '../../src/ir/graph.js';
import { Rng, mulberry32, randomInts } from './random.js';
import { RUNTIME_C, RunOptions, addNode, runLoweredMany } from './run-lowered.js';

/** A per-tensor quantization (scale rounded to float32, as TFLite stores it). */
export function q1(scale: number, zeroPoint: number): Quant {
  return { scale: [Math.fround(scale)], zeroPoint: [zeroPoint] };
}

/** A random per-tensor quantization: scale log-uniform in [2^lo, 2^hi), zero point in [-128, 127]. */
export function randomQuant(rng: Rng, lo = -9, hi = 1): Quant {
  return q1(2 ** (lo + (hi - lo) * rng()), randomInts(rng, 1, -128, 127)[0]);
}

export function randomInt8(rng: Rng, n: number, lo = -128, hi = 127): Int8Array {
  return Int8Array.from(randomInts(rng, n, lo, hi));
}

/**
 * Adds a runtime int8 input tensor `name` and returns its values (given, or random): the caller passes
 * them to runLoweredMany.
 */
export function int8Input(g: Graph, name: string, shape: number[], quant: Quant | undefined, values: Int8Array): Int8Array {
  if (values.length !== elementCount(shape)) throw new Error(`int8Input ${name}: ${values.length} values for [${shape}]`);
  g.addTensor({ name, dtype: 'int8', shape: [...shape], ...(quant ? { quant } : {}) });
  return values;
}

/** addNode, then gives output 0 the quantization the importer would set (when given). */
export function addQuantNode(g: Graph, op: string, inputs: string[], attrs: object, name: string, outQuant?: Quant): Node {
  const node = addNode(g, op, inputs, attrs, name);
  if (outQuant) g.tensor(node.outputs[0]).quant = outQuant;
  return node;
}

/** Compiles each kernel file for the Cortex-M7 with warnings as errors (throws with the compiler's output). */
export function compileForCortexM7(kernels: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'utvm-s8-arm-'));
  try {
    for (const k of kernels) {
      execFileSync('arm-none-eabi-gcc', [
        '-std=c99', '-mcpu=cortex-m7', '-mthumb', '-mfpu=fpv5-sp-d16', '-mfloat-abi=hard', '-O2', '-Wall', '-Wextra', '-Werror',
        `-I${RUNTIME_C}/include`, '-c', join(RUNTIME_C, 'src', `${k}.c`), '-o', join(dir, `${k}.o`),
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Saturating round-half-away division of an int32 sum by a count (TFLite's int8 average). */
export function roundedMean(sum: number, count: number): number {
  const half = Math.trunc(count / 2);
  return Math.trunc((sum > 0 ? sum + half : sum - half) / count);
}

/** Adds one case of a kernel test to `g`: a node over new tensors `<id>_*`, and its input `<id>_x`'s values. */
export type AddCase<S> = (g: Graph, rng: Rng, id: string, s: S) => { node: Node; x: Int8Array };

/**
 * Every shape as one node of one graph (ids c0, c1, ...; one seeded generator for all), run once per
 * entry of `runs` — e.g. the DSP target and the portable kernels — in one C program each.
 */
export function runCases<S>(shapes: readonly S[], seed: number, addCase: AddCase<S>, runs: RunOptions[]): ReturnType<typeof runLoweredMany>[] {
  const rng = mulberry32(seed);
  const g = new Graph('t');
  const inputs: Record<string, Int8Array> = {};
  const nodes = shapes.map((s, i) => {
    const { node, x } = addCase(g, rng, `c${i}`, s);
    inputs[`c${i}_x`] = x;
    return node;
  });
  return runs.map((options) => runLoweredMany(g, nodes, inputs, options));
}
