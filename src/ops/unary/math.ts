/**
 * Elementwise functions of one tensor: rsqrt, exp, log, abs, neg (TFLite RSQRT, EXP, LOG, ABS, NEG).
 *
 * Built with the activations' `unaryOp` (src/ops/unary/index.ts): a flat float32 loop each,
 * `utvm_<op>_f32(in, out, count)` (runtime-c/include/utvm/unary.h), computing what TFLite Micro's
 * reference kernels compute in float32: 1.f / sqrtf(x), expf, logf, fabsf, −x. int8 as TFLite Micro
 * (90b983c2) runs it: RSQRT and ABS (elementwise.cc) as a 256-byte table of its integer formula
 * (src/ops/unary/lut-s8.ts); TFLite Micro's EXP, LOG and NEG are float32 only, and so are these.
 * ONNX: Exp, Log, Abs, Neg import onto the same kernels; between DequantizeLinear and QuantizeLinear they
 * become `float_lut_s8`, the table of ONNX's float formula (src/ops/unary/onnx-math.ts).
 */

import { absS8, lowerLutS8, rsqrtS8 } from './lut-s8.js';
import { FLOAT_INT8, tfliteUnary, unaryOp } from './index.js';
import type { NoAttrs } from './index.js';
import { absS8 as absReference, rsqrtS8 as rsqrtReference } from './reference.js';
import { onnxUnary, tableInt8Form } from './onnx-math.js';
import type { OpDef } from '../op.js';

/** ONNX's QDQ form of the function: its float semantics as an int8 table (src/ops/unary/onnx-math.ts). */
const withQdq = <A>(op: OpDef<A>): OpDef<A> => ({ ...op, int8Form: tableInt8Form });

const FLOAT: ['float32'] = ['float32'];

export const rsqrt = unaryOp<NoAttrs>({
  name: 'rsqrt',
  int8Reference: rsqrtReference,
  fn: (x) => Math.fround(1 / Math.fround(Math.sqrt(x))),
  tflite: { RSQRT: tfliteUnary('rsqrt', 2, FLOAT_INT8) },
  int8: { lower: (ctx) => lowerLutS8(ctx, 'rsqrt', rsqrtS8) },
});

export const exp = withQdq(unaryOp<NoAttrs>({
  name: 'exp',
  fn: (x) => Math.exp(x),
  onnx: { Exp: onnxUnary('exp') },
  tflite: { EXP: tfliteUnary('exp', 1, FLOAT) },
}));

export const log = withQdq(unaryOp<NoAttrs>({
  name: 'log',
  fn: (x) => Math.log(x),
  onnx: { Log: onnxUnary('log') },
  tflite: { LOG: tfliteUnary('log', 1, FLOAT) },
}));

export const abs = withQdq(unaryOp<NoAttrs>({
  name: 'abs',
  int8Reference: absReference,
  fn: (x) => Math.abs(x),
  onnx: { Abs: onnxUnary('abs') },
  tflite: { ABS: tfliteUnary('abs', 2, FLOAT_INT8) },
  int8: { lower: (ctx) => lowerLutS8(ctx, 'abs', absS8) },
}));

export const neg = withQdq(unaryOp<NoAttrs>({
  name: 'neg',
  fn: (x) => -x,
  onnx: { Neg: onnxUnary('neg') },
  tflite: { NEG: tfliteUnary('neg', 1, FLOAT) },
}));
