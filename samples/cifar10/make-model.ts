/**
 * Builds the sample model: the CIFAR-10 CNN of the CMSIS-NN example, as ONNX (opset 13), with
 * deterministic weights, plus a deterministic input image.
 *
 *   input  float32 [1, 3, 32, 32] (NCHW)
 *   conv1  5×5, 3→32, pad 2        → relu1 → pool1  MaxPool 3×3 s2      [1, 32, 16, 16]
 *   conv2  5×5, 32→32, pad 2       → relu2 → pool2  AveragePool 3×3 s2  [1, 32, 8, 8]
 *   conv3  5×5, 32→64, pad 2       → relu3 → pool3  AveragePool 3×3 s2  [1, 64, 4, 4]
 *   flatten → fc1 Gemm 1024→10 (transB=1) → softmax (axis 1) → 'scores' [1, 10]
 *
 * The pools pad one row and column at the bottom/right (pads [0, 0, 1, 1]) so sizes halve exactly as in
 * CMSIS-NN: floor((32 + 1 − 3) / 2) + 1 = 16. Weights are He-uniform from a seeded mulberry32 generator
 * (±sqrt(6 / fan_in); three times that for fc1, whose logits the average pools would otherwise squeeze
 * together), so activations keep their scale and the softmax is neither flat nor one-hot. The image is
 * smooth and synthetic (gradients and a soft-edged disc), built with arithmetic and sqrt only, so every
 * platform produces the same bits.
 *
 *   npx tsc -p . && node dist/samples/cifar10/make-model.js
 *
 * writes samples/cifar10/cifar10.onnx and samples/cifar10/input.npy (same bytes on every run).
 * tests/e2e/sample-model.test.ts checks that the committed files match what this builds.
 */

import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../../src/io/npy.js';
import { OnnxModelBuilder } from '../../tests/util/onnx-build.js';
import { Rng, mulberry32, randomFloats } from '../../tests/util/random.js';

export const CIFAR10_SEED = 0xc1fa10;
export const INPUT_SHAPE = [1, 3, 32, 32];
export const OUTPUT_SHAPE = [1, 10];

/** A conv layer's weights [cout, cin, k, k] (He-uniform) and small biases. */
function addConv(m: OnnxModelBuilder, rng: Rng, name: string, x: string, cin: number, cout: number): string {
  const k = 5;
  const bound = Math.sqrt(6 / (cin * k * k));
  const weights = randomFloats(rng, cout * cin * k * k, -bound, bound);
  const w = m.initializer(`${name}.weight`, 'float32', [cout, cin, k, k], weights);
  const b = m.initializer(`${name}.bias`, 'float32', [cout], randomFloats(rng, cout, -0.05, 0.05));
  const attrs = { kernel_shape: [k, k], pads: [2, 2, 2, 2], strides: [1, 1] };
  return m.node('Conv', [x, w, b], attrs, { name })[0];
}

/** conv → relu → pool, numbered `index`. */
function addStage(m: OnnxModelBuilder, rng: Rng, index: number, x: string, cin: number, cout: number, pool: string) {
  const conv = addConv(m, rng, `conv${index}`, x, cin, cout);
  const [relu] = m.node('Relu', [conv], {}, { name: `relu${index}` });
  const attrs = { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] };
  return m.node(pool, [relu], attrs, { name: `pool${index}` })[0];
}

/** The serialized ONNX model (deterministic). */
export function buildCifar10Model(): Uint8Array {
  const rng = mulberry32(CIFAR10_SEED);
  const m = new OnnxModelBuilder({ opset: 13, graphName: 'cifar10' });
  const input = m.input('input', 'float32', INPUT_SHAPE);
  const p1 = addStage(m, rng, 1, input, 3, 32, 'MaxPool');
  const p2 = addStage(m, rng, 2, p1, 32, 32, 'AveragePool');
  const p3 = addStage(m, rng, 3, p2, 32, 64, 'AveragePool');
  const [flat] = m.node('Flatten', [p3], { axis: 1 }, { name: 'flatten' });
  const fanIn = 64 * 4 * 4;
  const bound = 3 * Math.sqrt(6 / fanIn); // ×3: the average pools shrink the spread of the logits
  const w = m.initializer('fc1.weight', 'float32', [10, fanIn], randomFloats(rng, 10 * fanIn, -bound, bound));
  const b = m.initializer('fc1.bias', 'float32', [10], randomFloats(rng, 10, -0.05, 0.05));
  const [logits] = m.node('Gemm', [flat, w, b], { transB: 1 }, { name: 'fc1' });
  m.node('Softmax', [logits], { axis: 1 }, { name: 'softmax', outputs: ['scores'] });
  m.output('scores', 'float32', OUTPUT_SHAPE);
  return m.encode();
}

/** smoothstep from 0 at `edge0` to 1 at `edge1`. */
function smoothstep(edge0: number, edge1: number, v: number): number {
  const t = Math.min(1, Math.max(0, (v - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** The sample image: float32 [1, 3, 32, 32] in [0, 1], gradients with a soft-edged disc. */
export function buildCifar10Input(): { name: string; dtype: 'float32'; shape: number[]; data: Float32Array } {
  const size = 32;
  const data = new Float32Array(3 * size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / (size - 1);
      const v = y / (size - 1);
      const d = Math.sqrt((x - 19.5) ** 2 + (y - 12.5) ** 2);
      const disc = 1 - smoothstep(7, 10, d);
      const at = y * size + x;
      data[at] = 0.15 + 0.45 * u * (1 - disc) + 0.8 * disc;
      data[size * size + at] = 0.1 + 0.7 * v * (1 - disc) + 0.35 * disc;
      data[2 * size * size + at] = 0.75 * (1 - u) * (1 - v) * (1 - disc) + 0.1 * disc;
    }
  }
  return { name: 'input', dtype: 'float32', shape: [...INPUT_SHAPE], data };
}

/** The repository root: the nearest ancestor of this file with utvm-aot's package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'utvm-aot') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('make-model: cannot find the utvm-aot repository root');
    dir = parent;
  }
}

function main(): void {
  const out = join(repoRoot(), 'samples', 'cifar10');
  const input = buildCifar10Input();
  writeFileSync(join(out, 'cifar10.onnx'), buildCifar10Model());
  writeFileSync(join(out, 'input.npy'), encodeNpy(input.dtype, input.shape, input.data));
  console.log(`wrote ${join(out, 'cifar10.onnx')} and ${join(out, 'input.npy')}`);
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
