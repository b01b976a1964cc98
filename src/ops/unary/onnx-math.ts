/**
 * Elementwise functions of one float tensor from ONNX: sqrt, reciprocal, erf, softplus, elu (alpha), selu
 * (alpha, gamma), gelu (approximate none / tanh; also onnxruntime's com.microsoft Gelu, the erf form) and pow with a constant exponent; and `float_lut_s8`,
 * the int8 form every elementwise function takes between DequantizeLinear and QuantizeLinear.
 *
 * float32: one kernel for all of them, `utvm_math_f32(&params, in, out, count)` (runtime-c/include/utvm/math.h),
 * its params an op code and the attributes; the C99 float functions as onnxruntime's CPU kernels use them:
 *   sqrt sqrtf(x) (NaN below 0); reciprocal 1/x; erf erff(x);
 *   softplus x > 0 ? x + log1pf(expf(−x)) : log1pf(expf(x));
 *   elu x < 0 ? alpha · expm1f(x) : x;  selu x > 0 ? gamma · x : gamma · (alpha · expf(x) − alpha);
 *   gelu 0.5 · x · (1 + erff(x / √2)), or with approximate = tanh 0.5 · x · (1 + tanhf(√(2/π) · (x + 0.044715 x³)));
 *   pow x², x³ as products, x^0.5 as sqrtf (NaN below 0, as powf), any other exponent powf(x, e).
 * ONNX's Exp, Log, Abs and Neg import onto the TFLite functions of src/ops/unary/math.ts (their kernels).
 *
 * int8 (QDQ): the ONNX graph dequantizes, applies the float function and quantizes; that is a function of
 * the 256 input values, so the QDQ pass turns it into a 256-entry table (`utvm_lut_s8`) computed here:
 * x = (q − zp_x) · s_x in float32, y = f(x) rounded to float32, q_y = round_half_even(y / s_y) + zp_y
 * saturated to int8 (onnxruntime's QuantizeLinear); a NaN quantizes to zp_y.
 */

import { allocData, numberAt } from '../../ir/dtype.js';
import { describeNode, fail } from '../../diagnostics.js';
import { f32 } from '../../ir/c-value.js';
import type { Graph, Node } from '../../ir/graph.js';
import { elementCount } from '../../ir/graph.js';
import type { ImportContext, KernelCall, LowerContext, OnnxNode, OpDef } from '../op.js';
import { defineOp } from '../op.js';
import type { Int8Form } from '../int8-form.js';
import { roundHalfEven } from '../int8-form.js';
import { lutCall, lutTable } from './lut-s8.js';
import type { S8Fn } from './lut-s8.js';
import { perTensorQuant, requireInt8 } from '../../lower/s8.js';
import type { PerTensorQuant } from '../../lower/s8.js';

/** Attributes of the functions (each uses the ones it names). */
export interface MathAttrs {
  alpha?: number;
  gamma?: number;
  /** gelu: 'tanh' for the tanh approximation. */
  approximate?: string;
  exponent?: number;
}

/** erf to double precision: its Taylor series below |x| = 3, the continued fraction of erfc above. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  if (a < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

interface MathFn {
  /** The op code of utvm_math_f32 (utvm/math.h). */
  code: number;
  fn(x: number, a: MathAttrs): number;
}

/** Every elementwise function, by IR operator name: the float kernels' (new ones) and the table's. */
export const MATH_FNS: Record<string, MathFn> = {
  sqrt: { code: 0, fn: (x) => Math.sqrt(x) },
  reciprocal: { code: 1, fn: (x) => 1 / x },
  erf: { code: 2, fn: (x) => erf(x) },
  softplus: { code: 3, fn: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))) },
  elu: { code: 4, fn: (x, a) => (x < 0 ? a.alpha! * Math.expm1(x) : x) },
  selu: { code: 5, fn: (x, a) => (x > 0 ? a.gamma! * x : a.gamma! * (a.alpha! * Math.exp(x) - a.alpha!)) },
  gelu: {
    code: 6,
    fn: (x, a) =>
      a.approximate === 'tanh'
        ? 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))
        : 0.5 * x * (1 + erf(x / Math.SQRT2)),
  },
  pow: { code: 7, fn: (x, a) => Math.pow(x, a.exponent!) },
  // int8 tables only (their float kernels are src/ops/unary/math.ts's)
  exp: { code: -1, fn: (x) => Math.exp(x) },
  log: { code: -1, fn: (x) => Math.log(x) },
  abs: { code: -1, fn: (x) => Math.abs(x) },
  neg: { code: -1, fn: (x) => -x },
};

function mathFn(name: string): MathFn {
  const f = MATH_FNS[name];
  if (!f) throw new Error(`no elementwise function '${name}'`);
  return f;
}

/** The int8 → int8 function of float function `fn` between quantizations qx and qy (ONNX's QDQ semantics). */
export function floatTableS8(fn: (x: number) => number, qx: PerTensorQuant, qy: PerTensorQuant): S8Fn {
  return (q) => {
    const x = Math.fround((q - qx.zeroPoint) * qx.scale);
    const y = Math.fround(fn(x));
    if (Number.isNaN(y)) return qy.zeroPoint;
    const v = roundHalfEven(Math.fround(y / qy.scale)) + qy.zeroPoint;
    return v < -128 ? -128 : v > 127 ? 127 : v;
  };
}

/** The int8 form of an elementwise function node: the table op on its int8 input. */
export function tableInt8Form(g: Graph, node: Node, x: (string | undefined)[]): Int8Form | null {
  const [xs] = x;
  if (!xs || node.inputs.length !== 1) return null;
  return { op: 'float_lut_s8', inputs: [xs], attrs: { ...(node.attrs as object), fn: node.op } };
}

function evaluateFloat(name: string, attrs: MathAttrs, inputs: { data?: ArrayLike<number> | unknown; quant?: unknown }[], dtype: Parameters<typeof allocData>[0]) {
  if (inputs[0].quant) fail('E_UNSUPPORTED_ATTR', `folding a ${name} of a quantized constant is not supported`);
  const data = inputs[0].data as Parameters<typeof numberAt>[0];
  const out = allocData(dtype, data.length);
  const f = mathFn(name).fn;
  for (let i = 0; i < data.length; i++) (out as Float64Array)[i] = f(numberAt(data, i), attrs);
  return out;
}

/** An IR elementwise function run by utvm_math_f32 in float32, by a table in int8 (QDQ). */
function mathOp(name: string, onnx: Record<string, (node: OnnxNode, ctx: ImportContext) => void>): OpDef<MathAttrs> {
  const code = mathFn(name).code;
  return defineOp<MathAttrs>({
    name,
    inPlace: true,
    elementwise: true,
    infer({ inputs, node }) {
      const x = inputs[0];
      if (!x) fail('E_MODEL_INVALID', `${describeNode(node.source)}: ${name} needs an input`);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    evaluate(attrs, inputs, outputs) {
      if (outputs[0].dtype !== 'float32' && outputs[0].dtype !== 'float64') fail('E_UNSUPPORTED_ATTR', `folding a ${name} of ${outputs[0].dtype} constants is not supported`);
      return [evaluateFloat(name, attrs, inputs as never, outputs[0].dtype)];
    },
    lower(ctx: LowerContext<MathAttrs>): KernelCall[] {
      const x = ctx.input(0);
      const y = ctx.output(0);
      if (x.dtype !== 'float32' || y.dtype !== 'float32') {
        fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: ${name} of ${x.dtype} tensors is not supported at run time (float32, and int8 between DequantizeLinear and QuantizeLinear)`);
      }
      const a = ctx.node.attrs;
      const params = { op: code, alpha: f32(a.alpha ?? 0), gamma: f32(a.gamma ?? (a.approximate === 'tanh' ? 1 : 0)), exponent: f32(a.exponent ?? 0) };
      return [{
        kernel: 'utvm_math_f32',
        header: 'utvm/math.h',
        args: [{ params, type: 'utvm_math_params_f32' }, { tensor: x.name }, { tensor: y.name }, { value: elementCount(x.shape) }],
        inPlace: true,
      }];
    },
    commuteTranspose: (node) => ({ attrs: node.attrs, inputs: [...node.inputs] }),
    onnx,
    int8Form: tableInt8Form,
  });
}

interface TableAttrs extends MathAttrs {
  fn: string;
}

/** The int8 table of a float function (QDQ's DequantizeLinear → f → QuantizeLinear). */
export const floatLutS8 = defineOp<TableAttrs>({
  name: 'float_lut_s8',
  inPlace: true,
  elementwise: true,
  infer({ inputs, node }) {
    const x = inputs[0];
    if (!x) fail('E_MODEL_INVALID', `${describeNode(node.source)}: float_lut_s8 needs an input`);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  reference({ attrs, node, inputs, outputs }) {
    const x = inputs[0]!;
    const f = mathFn(attrs.fn).fn;
    const table = lutTable(floatTableS8((v) => f(v, attrs), perTensorQuant(x, node.source), perTensorQuant({ ...x, ...outputs[0], name: node.outputs[0] } as never, node.source)));
    const data = x.data as Int8Array;
    const out = new Int8Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = table[data[i] & 255];
    return [out];
  },
  lower(ctx) {
    const x = ctx.input(0);
    const y = ctx.output(0);
    requireInt8(ctx.node.source, ctx.node.attrs.fn, [x, y]);
    const a = ctx.node.attrs;
    const f = mathFn(a.fn).fn;
    return [lutCall(ctx, floatTableS8((v) => f(v, a), perTensorQuant(x, ctx.node.source), perTensorQuant(y, ctx.node.source)))];
  },
  commuteTranspose: (node) => ({ attrs: node.attrs, inputs: [...node.inputs] }),
});

/** An importer onto IR operator `op` of input 0 with the attributes `attrs` reads from the node. */
export function onnxUnary(op: string, attrs: (node: OnnxNode, ctx: ImportContext) => MathAttrs = () => ({})) {
  return (node: OnnxNode, ctx: ImportContext): void => {
    if (node.inputs.length < 1 || node.inputs[0] === '') ctx.invalid(`${node.opType} needs an input`);
    ctx.add(op, [node.inputs[0]], attrs(node, ctx), node.outputs.slice(0, 1));
  };
}

/** Pow(X, Y) with Y a constant holding one value (any shape that does not widen X's). */
function importPow(node: OnnxNode, ctx: ImportContext): void {
  if (node.inputs.length < 2 || node.inputs[0] === '' || node.inputs[1] === '') ctx.invalid('Pow needs two inputs');
  const data = ctx.constant(node.inputs[1]);
  if (data === undefined) ctx.unsupported(`an exponent computed at run time ('${node.inputs[1]}')`);
  const e = numberAt(data, 0);
  for (let i = 1; i < data.length; i++) {
    if (numberAt(data, i) !== e) ctx.unsupported('an exponent that varies by element');
  }
  const xs = ctx.tensor(node.inputs[0]).shape;
  const es = ctx.tensor(node.inputs[1]).shape;
  const widens = es.length > xs.length || es.some((d, i) => d !== 1 && d !== xs[xs.length - es.length + i]);
  if (widens) ctx.unsupported(`an exponent of shape [${es}] broadcasting X of shape [${xs}] to a larger shape`);
  if (ctx.tensor(node.inputs[0]).dtype !== 'float32') ctx.unsupported(`Pow of ${ctx.tensor(node.inputs[0]).dtype} X`);
  ctx.add('pow', [node.inputs[0]], { exponent: e }, node.outputs.slice(0, 1));
}

function geluAttrs(node: OnnxNode, ctx: ImportContext): MathAttrs {
  if (node.domain === 'com.microsoft') return {};
  if (node.opset < 20) ctx.invalid(`Gelu is an operator of opset 20 and later, and the model imports opset ${node.opset}`);
  const approximate = node.attrs.string('approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') ctx.invalid(`approximate '${approximate}' is neither 'none' nor 'tanh'`);
  return approximate === 'tanh' ? { approximate } : {};
}

export const sqrt = mathOp('sqrt', { Sqrt: onnxUnary('sqrt') });
export const reciprocal = mathOp('reciprocal', { Reciprocal: onnxUnary('reciprocal') });
export const erfOp = mathOp('erf', { Erf: onnxUnary('erf') });
export const softplus = mathOp('softplus', { Softplus: onnxUnary('softplus') });
export const elu = mathOp('elu', { Elu: onnxUnary('elu', (n) => ({ alpha: n.attrs.float('alpha', 1) })) });
export const selu = mathOp('selu', {
  Selu: onnxUnary('selu', (n) => ({ alpha: n.attrs.float('alpha', SELU_ALPHA), gamma: n.attrs.float('gamma', SELU_GAMMA) })),
});
export const gelu = mathOp('gelu', { Gelu: onnxUnary('gelu', geluAttrs), 'com.microsoft:Gelu': onnxUnary('gelu', geluAttrs) });
export const pow = mathOp('pow', { Pow: importPow });
