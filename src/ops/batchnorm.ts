/**
 * batchnorm: inference-time batch normalization as a per-channel affine map, channel axis last.
 *
 * Inputs: x [..., C], scale [C], shift [C]; y[..., c] = x[..., c]·scale[c] + shift[c]. The ONNX importer
 * folds gamma, beta, mean, var and epsilon into scale = gamma / sqrt(var + eps) and
 * shift = beta − mean·scale at import time (float64 arithmetic, rounded once to float32), so scale and
 * shift are constants and the kernel `utvm_channel_affine_f32` only multiplies and adds. The op runs in
 * place. src/passes/fold-batchnorm.ts folds it into a preceding conv2d when it can.
 *
 * ONNX BatchNormalization (opsets 6–15, inference only): [N, C] is already channel-last; any higher rank
 * moves the channel axis last with one transpose each way ([0, 2, 3, 1] for NCHW, [0, 2, 1] for NCL —
 * which meets the transposes of a 1-D Conv, see src/import/onnx/window.ts `wrapNchw`). training_mode=1, the training statistics outputs
 * and spatial=0 (opsets < 9) are unsupported. Statistics fed at run time (rare; ONNX's own conformance
 * tests do it) go through `batchnorm_coefficients`, which folds away whenever they are constants.
 */

import { describeNode, fail } from '../diagnostics.js';
import { allocData, numberAt, toNumbers } from '../ir/dtype.js';
import { f32 } from '../ir/c-value.js';
import { elementCount } from '../ir/graph.js';
import type { ImportContext, OnnxNode } from './op.js';
import { defineOp } from './op.js';

export type BatchnormAttrs = Record<string, never>;

/** Scale and shift per channel from ONNX's gamma, beta, mean, var and epsilon. */
export function affineFromStatistics(
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  epsilon: number,
): { scale: Float32Array; shift: Float32Array } {
  const n = gamma.length;
  const scale = new Float32Array(n);
  const shift = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    const s = gamma[c] / Math.sqrt(variance[c] + epsilon);
    scale[c] = s;
    shift[c] = beta[c] - mean[c] * s;
  }
  return { scale, shift };
}

/** The four statistics inputs after x, each with one value per channel. */
function statisticsInputs(node: OnnxNode, ctx: ImportContext, channels: number): string[] {
  return ['scale', 'B', 'mean', 'var'].map((what, i) => {
    const name = node.inputs[i + 1] ?? '';
    if (name === '') ctx.invalid(`input '${what}' is missing`);
    const shape = ctx.tensor(name).shape;
    if (shape.length !== 1 || shape[0] !== channels) ctx.invalid(`'${what}' has shape [${shape}], expected [${channels}]`);
    return name;
  });
}

function importBatchnorm(node: OnnxNode, ctx: ImportContext): void {
  if (node.attrs.int('training_mode', 0) !== 0) ctx.unsupported('training_mode=1');
  if (node.outputs.slice(1).some((o) => o !== '')) ctx.unsupported('BatchNormalization with training statistics outputs');
  if (node.opset < 9 && node.attrs.int('spatial', 1) === 0) ctx.unsupported('spatial=0');
  const x = ctx.tensor(node.inputs[0]);
  const rank = x.shape.length;
  if (rank < 2) ctx.invalid(`input [${x.shape}] has no channel axis`);
  const epsilon = node.attrs.float('epsilon', 1e-5);
  // Folds into two constants at import time whenever the statistics are constants.
  const affine = ctx.add('batchnorm_coefficients', statisticsInputs(node, ctx, x.shape[1]), { epsilon });
  if (rank === 2) {
    ctx.add('batchnorm', [node.inputs[0], ...affine], {}, [node.outputs[0]]);
    return;
  }
  // Channel axis last and back: [0, 2, ..., r−1, 1] then its inverse [0, r−1, 1, ..., r−2].
  const perm = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
  const back = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
  const channelLast = ctx.add('transpose', [node.inputs[0]], { perm })[0];
  const y = ctx.add('batchnorm', [channelLast, ...affine], {})[0];
  ctx.add('transpose', [y], { perm: back }, [node.outputs[0]]);
}

export interface BatchnormCoefficientsAttrs {
  epsilon: number;
}

/**
 * batchnorm_coefficients: (gamma, beta, mean, var) → (scale, shift), each [C]. Evaluated at import time
 * when the statistics are constants (the usual case); otherwise the kernel computes them at run time.
 */
export const batchnormCoefficients = defineOp<BatchnormCoefficientsAttrs>({
  name: 'batchnorm_coefficients',
  infer({ inputs, node }) {
    const c = inputs[0]!.shape[0];
    if (inputs.some((t) => !t || t.shape.join() !== `${c}`)) {
      fail('E_SHAPE', `${describeNode(node.source)}: batch normalization statistics must all have shape [${c}]`);
    }
    return [{ dtype: 'float32', shape: [c] }, { dtype: 'float32', shape: [c] }];
  },
  evaluate(attrs, inputs, outputs) {
    const [gamma, beta, mean, variance] = inputs.map((t) => toNumbers(t!.data!));
    const { scale, shift } = affineFromStatistics(gamma, beta, mean, variance, attrs.epsilon);
    // The reference interpreter asks for float64 (statistics fed at run time): computed in double.
    if (outputs[0].dtype === 'float64') {
      const s = new Float64Array(gamma.length);
      const t = new Float64Array(gamma.length);
      for (let c = 0; c < s.length; c++) {
        s[c] = gamma[c] / Math.sqrt(variance[c] + attrs.epsilon);
        t[c] = beta[c] - mean[c] * s[c];
      }
      return [s, t];
    }
    return [scale, shift];
  },
  lower({ node, input, output }) {
    const stats = [0, 1, 2, 3].map((i) => input(i));
    const bad = stats.find((t) => t.dtype !== 'float32');
    if (bad) fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: batch normalization of ${bad.dtype} statistics is not supported (float32 only)`);
    return [{
      kernel: 'utvm_batchnorm_coefficients_f32',
      header: 'utvm/batchnorm.h',
      args: [
        { params: { channels: stats[0].shape[0], epsilon: f32(node.attrs.epsilon) }, type: 'utvm_batchnorm_coefficients_params_f32' },
        ...stats.map((t) => ({ tensor: t.name })),
        { tensor: output(0).name },
        { tensor: output(1).name },
      ],
    }];
  },
});

export const batchnorm = defineOp<BatchnormAttrs>({
  name: 'batchnorm',
  inPlace: true,
  infer({ inputs, node }) {
    const [x, scale, shift] = inputs;
    const c = x!.shape[x!.shape.length - 1];
    for (const t of [scale, shift]) {
      if (!t || t.shape.length !== 1 || t.shape[0] !== c) {
        fail('E_SHAPE', `${describeNode(node.source)}: batchnorm needs scale and shift of shape [${c}]`);
      }
    }
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
  evaluate(_attrs, inputs, outputs) {
    const [x, scale, shift] = inputs.map((t) => t!.data!);
    const c = scale.length;
    const out = allocData(outputs[0].dtype, elementCount(outputs[0].shape)) as Float32Array;
    // float32 rounds the product as the kernel does; the reference interpreter's float64 does not.
    const round = outputs[0].dtype === 'float64' ? (v: number) => v : Math.fround;
    for (let i = 0; i < out.length; i++) {
      out[i] = round(numberAt(x, i) * numberAt(scale, i % c)) + numberAt(shift, i % c);
    }
    return [out];
  },
  lower({ node, input, output }) {
    const x = input(0);
    if (x.dtype !== 'float32') {
      fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: batch normalization of ${x.dtype} tensors is not supported (float32 only)`);
    }
    const channels = x.shape[x.shape.length - 1];
    return [{
      kernel: 'utvm_channel_affine_f32',
      header: 'utvm/batchnorm.h',
      args: [
        { params: { outer: elementCount(x.shape) / channels, channels }, type: 'utvm_channel_affine_params' },
        { tensor: x.name },
        { tensor: input(1).name },
        { tensor: input(2).name },
        { tensor: output(0).name },
      ],
    }];
  },
  commuteTranspose(node, perm) {
    // The channel axis stays innermost only when the permutation keeps the last axis in place.
    const last = perm.length - 1;
    if (perm[last] !== last) return null;
    return { attrs: node.attrs, inputs: [...node.inputs] };
  },
  onnx: { BatchNormalization: importBatchnorm },
});
