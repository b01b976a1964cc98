/**
 * ONNX importers of the QOperator forms, each written as the QDQ pattern it means:
 *
 *   QLinearConv(x, w, B)   → Q(Conv(DQ(x), DQ(w), DQ(B, scale x_scale·w_scale)))
 *   QLinearMatMul(a, b)    → Q(MatMul(DQ(a), DQ(b)))          (b per column: axis = last)
 *   com.microsoft QLinearAdd / QLinearMul / QLinearAveragePool / QLinearGlobalAveragePool /
 *   QLinearSigmoid / QLinearLeakyRelu / QLinearConcat → Q(op(DQ(inputs...)))
 *   ConvInteger / MatMulInteger → convert-to-int32(op(DQ(x, scale 1, x_zp), DQ(w, scale 1, w_zp)))
 * The float operator in the middle is imported by its own importer (src/ops/*.ts), so windows, pads,
 * groups and broadcasting mean exactly what they mean for the float operator; the `qdq` pass then maps
 * the pattern onto the int8 kernels (or leaves a correct float island when it cannot).
 *
 * ConvInteger and MatMulInteger produce int32: they run as the float32 operator on the zero-point-
 * shifted integers, which is exact when every partial sum stays below 2^24 in magnitude; the importer
 * bounds the sum from the weights (constant) or the type ranges and refuses models that could exceed it.
 */

import { numberAt, toNumbers } from '../../ir/dtype.js';
import type { DType } from '../../ir/dtype.js';
import { elementCount } from '../../ir/graph.js';
import type { ImportContext, OnnxImporter, OnnxNode } from '../../ops/op.js';
import { allOps } from '../../ops/index.js';
import { NodeQuant, dequantizeInto, dequantizeWith, quantizeInto, readNodeQuant } from './quant.js';

/** The importer of a default-domain ONNX operator, as its operator file registers it. */
function floatImporter(opType: string): OnnxImporter {
  for (const op of allOps()) {
    const importer = op.onnx?.[opType];
    if (importer) return importer;
  }
  throw new Error(`internal: no importer for ONNX ${opType}`);
}

/** Runs the float importer of `opType` on `inputs`; returns its float output's name. */
function floatNode(node: OnnxNode, ctx: ImportContext, opType: string, inputs: string[]): string {
  const out = ctx.graph.freshName(`${node.outputs[0]}_float`);
  floatImporter(opType)({ ...node, opType, domain: '', inputs, outputs: [out] }, ctx);
  return out;
}

function scalar(ctx: ImportContext, name: string): number {
  const t = ctx.tensor(name);
  if (t.data === undefined) ctx.unsupported('a scale computed at run time');
  return numberAt(t.data, 0);
}

function importQLinearConv(node: OnnxNode, ctx: ImportContext): void {
  const [x, xs, xzp, w, ws, wzp, ys, yzp, b = ''] = node.inputs;
  const xf = dequantizeInto(ctx, node, x, xs, xzp);
  const wf = dequantizeInto(ctx, node, w, ws, wzp, undefined, 0);
  const inputs = [xf, wf];
  if (b !== '') {
    const wq = readNodeQuant(node, ctx, ws, wzp, ctx.tensor(w).shape.length, ctx.tensor(w).dtype, 0);
    const xScale = Math.fround(scalar(ctx, xs));
    const scale = wq.scale.map((s) => Math.fround(xScale * s));
    const bq: NodeQuant = { scale, zeroPoint: scale.map(() => 0), dtype: 'int32', ...(scale.length > 1 ? { axis: 0 } : {}) };
    if (ctx.tensor(b).dtype !== 'int32') ctx.invalid(`bias '${b}' must be int32`);
    inputs.push(dequantizeWith(ctx, b, bq));
  }
  quantizeInto(ctx, node, floatNode(node, ctx, 'Conv', inputs), ys, yzp, node.outputs[0]);
}

function importQLinearMatMul(node: OnnxNode, ctx: ImportContext): void {
  const [a, as, azp, b, bs, bzp, ys, yzp] = node.inputs;
  const af = dequantizeInto(ctx, node, a, as, azp);
  const bf = dequantizeInto(ctx, node, b, bs, bzp, undefined, ctx.tensor(b).shape.length - 1);
  quantizeInto(ctx, node, floatNode(node, ctx, 'MatMul', [af, bf]), ys, yzp, node.outputs[0]);
}

/** com.microsoft QLinear<op>(X, X_scale, X_zp, ..., Y_scale, Y_zp): `arity` quantized inputs first. */
function qlinear(opType: string, arity: number): OnnxImporter {
  return (node, ctx) => {
    if (node.attrs.int('channels_last', 0) !== 0) ctx.unsupported('channels_last = 1');
    const floats: string[] = [];
    for (let i = 0; i < arity; i++) {
      const [x, s, zp = ''] = node.inputs.slice(3 * i, 3 * i + 3);
      floats.push(dequantizeInto(ctx, node, x, s, zp));
    }
    const [ys, yzp = ''] = node.inputs.slice(3 * arity);
    quantizeInto(ctx, node, floatNode(node, ctx, opType, floats), ys, yzp, node.outputs[0], zpTypeOf(ctx, node.inputs[0]));
  };
}

/** The uint8/int8 type of a QLinear operator's first quantized input (its output has the same type). */
function zpTypeOf(ctx: ImportContext, x: string): DType {
  return ctx.tensor(x).dtype;
}

/** QLinearConcat(Y_scale, Y_zp, X1, X1_scale, X1_zp, ...). */
function importQLinearConcat(node: OnnxNode, ctx: ImportContext): void {
  const [ys, yzp] = node.inputs;
  const rest = node.inputs.slice(2);
  if (rest.length === 0 || rest.length % 3 !== 0) ctx.invalid('QLinearConcat needs (X, X_scale, X_zero_point) triples');
  const floats: string[] = [];
  for (let i = 0; i < rest.length; i += 3) floats.push(dequantizeInto(ctx, node, rest[i], rest[i + 1], rest[i + 2]));
  quantizeInto(ctx, node, floatNode(node, ctx, 'Concat', floats), ys, yzp, node.outputs[0], zpTypeOf(ctx, rest[0]));
}

/** Largest |q − zp| of a tensor: from its values when constant (one zero point), else from its type's range. */
function maxCentered(ctx: ImportContext, x: string, zp: number[]): number {
  const t = ctx.tensor(x);
  if (t.data === undefined || zp.length > 1) {
    const [lo, hi] = t.dtype === 'uint8' ? [0, 255] : [-128, 127];
    return Math.max(...zp.map((z) => Math.max(Math.abs(lo - z), Math.abs(hi - z))));
  }
  let m = 0;
  for (let i = 0; i < t.data.length; i++) m = Math.max(m, Math.abs(numberAt(t.data, i) - zp[0]));
  return m;
}

/** Scale-1 quantization with the given zero point input (absent: 0). */
function integerQuant(ctx: ImportContext, x: string, zpName: string, axis: number): NodeQuant {
  const t = ctx.tensor(x);
  if (t.dtype !== 'int8' && t.dtype !== 'uint8') ctx.unsupported(`${t.dtype} input '${x}' (int8 and uint8 only)`);
  const data = zpName === '' ? undefined : ctx.constant(zpName) ?? ctx.unsupported('a zero point computed at run time');
  const zp = data ? toNumbers(data) : [0];
  return { scale: zp.map(() => 1), zeroPoint: zp, dtype: t.dtype, ...(zp.length > 1 ? { axis } : {}) };
}

/** ConvInteger / MatMulInteger: the float operator on the shifted integers, then exact to int32. */
function integerOp(opType: 'Conv' | 'MatMul'): OnnxImporter {
  return (node, ctx) => {
    const [x, w, xzp = '', wzp = ''] = node.inputs;
    const wt = ctx.tensor(w);
    const wAxis = opType === 'Conv' ? 0 : wt.shape.length - 1;
    const xq = integerQuant(ctx, x, xzp, 1);
    const wq = integerQuant(ctx, w, wzp, wAxis);
    if (xq.axis !== undefined) ctx.unsupported('a per-row zero point of the input');
    const terms = opType === 'Conv' ? elementCount(wt.shape.slice(1)) : wt.shape[wt.shape.length - 2];
    const bound = terms * maxCentered(ctx, x, xq.zeroPoint) * maxCentered(ctx, w, wq.zeroPoint);
    if (bound >= 2 ** 24) {
      ctx.unsupported(`an int32 accumulator that may reach ${bound} (the exact path computes sums below 2^24)`);
    }
    const y = floatNode(node, ctx, opType, [dequantizeWith(ctx, x, xq), dequantizeWith(ctx, w, wq)]);
    ctx.add('convert', [y], { to: 'int32' }, [node.outputs[0]]);
  };
}

export const qoperatorImporters: Record<string, OnnxImporter> = {
  QLinearConv: importQLinearConv,
  QLinearMatMul: importQLinearMatMul,
  ConvInteger: integerOp('Conv'),
  MatMulInteger: integerOp('MatMul'),
  'com.microsoft:QLinearAdd': qlinear('Add', 2),
  'com.microsoft:QLinearMul': qlinear('Mul', 2),
  'com.microsoft:QLinearAveragePool': qlinear('AveragePool', 1),
  'com.microsoft:QLinearGlobalAveragePool': qlinear('GlobalAveragePool', 1),
  'com.microsoft:QLinearSigmoid': qlinear('Sigmoid', 1),
  'com.microsoft:QLinearLeakyRelu': qlinear('LeakyRelu', 1),
  'com.microsoft:QLinearConcat': importQLinearConcat,
};
