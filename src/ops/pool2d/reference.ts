/**
 * pool2d's run-time reference semantics (src/reference/), from the ONNX pooling spec (float) and TensorFlow
 * Lite's reference kernels (int8, int16), independently of the C kernels and the lowering.
 *
 *   float (float32, computed in float64 by the interpreter): max over the window's taps inside the input;
 *     average = their sum / a count: the taps inside the input, or with countIncludePad (ONNX
 *     count_include_pad=1) the taps inside the input plus the model's explicit pads (the extra ceil_mode
 *     padding never counts); then the clamp, when the node carries one;
 *   int8 / int16 (reference_integer_ops::AveragePool / MaxPool): the int32 sum of the taps inside the input,
 *     divided by their count rounding half away from zero (acc ± count/2, then C's truncating division);
 *     max: the largest tap; both then clamp to the fused activation's range in the output's quantization
 *     (no requantization: TFLite requires the input's and output's to be the same);
 *   int8 / uint8 without quantization (an ONNX MaxPool on raw integers): the largest tap, no clamp.
 */

import { describeNode, fail } from '../../diagnostics.js';
import { allocData } from '../../ir/dtype.js';
import type { TensorData } from '../../ir/dtype.js';
import type { Tensor } from '../../ir/graph.js';
import { quantizedActivationRange } from '../../ir/quant.js';
import type { ReferenceContext } from '../op.js';
import type { Pool2dAttrs } from './index.js';

const INTEGER_RANGE: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

export function pool2dReference(ctx: ReferenceContext<Pool2dAttrs>): TensorData[] {
  const { attrs, node } = ctx;
  const x = ctx.inputs[0] as Tensor;
  const y = ctx.outputs[0];
  const [batch, inH, inW, channels] = x.shape;
  const [, outH, outW] = y.shape;
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.strides;
  const [dh, dw] = attrs.dilations;
  const [pt, pl, pb, pr] = attrs.pads;
  const isFloat = x.dtype === 'float32' || x.dtype === 'float64';
  const range = INTEGER_RANGE[x.dtype];
  if (!isFloat && !range) fail('E_UNSUPPORTED_TYPE', `${describeNode(node.source)}: ${attrs.kind} pooling of ${x.dtype} tensors has no reference semantics`);
  if (!isFloat && attrs.kind === 'avg' && !y.quant) fail('E_MODEL_INVALID', `${describeNode(node.source)}: ${x.dtype} average pooling needs quantization parameters`);
  // The clamp: float as given; integer, the activation's range in the output quantization (none unquantized).
  let [lo, hi] = isFloat ? [attrs.clamp?.min ?? -Infinity, attrs.clamp?.max ?? Infinity] : range;
  if (!isFloat && y.quant) {
    const r = quantizedActivationRange(attrs.clamp, y.quant.scale[0], y.quant.zeroPoint[0], range[0], range[1]);
    [lo, hi] = [r.min, r.max];
  }
  // The region whose taps count in an average's divisor.
  const counted = attrs.countIncludePad ? [-pt, -pl, inH + pb, inW + pr] : [0, 0, inH, inW];
  const data = x.data!;
  const out = allocData(y.dtype, batch * outH * outW * channels);
  const acc = new Float64Array(channels);
  const max = attrs.kind === 'max';
  let o = 0;
  for (let b = 0; b < batch; b++) {
    const image = b * inH * inW * channels;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        acc.fill(max ? -Infinity : 0);
        let count = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx * dw;
            if (iy >= counted[0] && iy < counted[2] && ix >= counted[1] && ix < counted[3]) count++;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
            const src = image + (iy * inW + ix) * channels;
            if (max) {
              for (let c = 0; c < channels; c++) if ((data[src + c] as number) > acc[c]) acc[c] = data[src + c] as number;
            } else {
              for (let c = 0; c < channels; c++) acc[c] += data[src + c] as number;
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          let v = acc[c];
          if (!max) v = isFloat ? v / count : Math.trunc((v > 0 ? v + (count >> 1) : v - (count >> 1)) / count);
          (out as Float64Array)[o++] = v < lo ? lo : v > hi ? hi : v;
        }
      }
    }
  }
  return [out];
}
