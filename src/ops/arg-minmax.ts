/**
 * arg_max, arg_min: the index of the largest / smallest element along one axis, the axis removed
 * (TFLite ARG_MAX, ARG_MIN).
 *
 * As TFLite Micro's reference kernel (arg_min_max.cc at 90b983c2): the first element of the axis is the
 * starting candidate and a later one replaces it only when strictly greater (smaller), so ties go to the
 * lowest index; stored values are compared (int8 compares bytes, which orders the reals the same way).
 * The indices are int32 or int64 as the model's output_type says (TensorFlow's default is int64, which
 * TFLite allows and TFLite Micro's kernel refuses: those indices are the int32 ones widened, tested so).
 * The axis is a constant (int32 or int64, negative from the end).
 *
 * Lowering: outer × axis × inner sizes, kernels utvm_arg_minmax_{s8,f32} (utvm/arg_minmax.h).
 *
 * ONNX ArgMax / ArgMin (opsets 1–13): `axis` (default 0, negative from the end), `keepdims` (default 1:
 * a reshape puts the axis back as a size-1 dim), `select_last_index` (opset 12+: ties go to the highest
 * index; the kernels' `select_last`). The indices are int64, as ONNX defines them. Of a
 * DequantizeLinear's output the node reads the int8 tensor instead (`movesValues: 'order'`,
 * src/passes/qdq.ts rule 2c): with a positive scale the stored values order as the reals do.
 */

import { fromNumbers, numberAt } from '../ir/dtype.js';
import { describeNode, fail } from '../diagnostics.js';
import { elementCount } from '../ir/graph.js';
import { defineOp } from './op.js';
import type { OnnxImporter, OpDef } from './op.js';
import { normalizeAxis } from '../import/onnx/constants.js';
import type { TfliteOpContext } from '../import/tflite-context.js';
import type { TfliteOptionsTable } from '../import/tflite-options.js';
import { requireConstant, tfliteAxis } from '../import/tflite-context.js';

export interface ArgMinMaxAttrs {
  axis: number;
  /** The indices' type: int32 or int64 (TFLite's output_type). */
  indexType: 'int32' | 'int64';
  /** Ties go to the highest index (ONNX select_last_index=1); absent or false: the lowest (TFLite). */
  selectLast?: boolean;
}

type Kind = 'max' | 'min';

/** ArgMaxOptions / ArgMinOptions (BuiltinOptions types 40 / 57): output_type, field 0 (a TensorType). */
function argOptions(type: number): TfliteOptionsTable<{ outputType: number }> {
  return { type, read: (r, t) => ({ outputType: r.int8(t, 0, 4) }), defaults: { outputType: 4 } };
}

function importTfliteArg(kind: Kind): (c: TfliteOpContext<{ outputType: number }>) => void {
  return (c) => {
    const out = c.outputType(0);
    if (out.dtype !== 'int32' && out.dtype !== 'int64') c.invalid(`output must be int32 or int64, got ${out.dtype}`);
    const x0 = c.inputTensor(0);
    if (x0.dtype !== 'float32' && x0.dtype !== 'int8') c.unsupported(`ARG_${kind.toUpperCase()} of a ${x0.dtype} input (float32 and int8 are supported)`);
    const a = requireConstant(c as unknown as TfliteOpContext, 1, 'axis');
    if (a.dtype !== 'int32' && a.dtype !== 'int64') c.invalid(`axis must be int32 or int64, got ${a.dtype}`);
    if (a.data!.length !== 1) c.invalid(`axis must hold one value, got ${a.data!.length}`);
    const x = c.inputTensor(0);
    const axis = tfliteAxis(c as unknown as TfliteOpContext, numberAt(a.data!, 0), x.shape.length);
    c.b.add(`arg_${kind}`, [c.input(0)], { axis, indexType: out.dtype }, [c.output(0)]);
  };
}

/** [outer, axis size, inner] of a shape split at `axis`. */
function split(shape: readonly number[], axis: number): [number, number, number] {
  return [elementCount(shape.slice(0, axis)), shape[axis], elementCount(shape.slice(axis + 1))];
}

function argOp(kind: Kind, builtin: string, optionsType: number): OpDef<ArgMinMaxAttrs> {
  const better = kind === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return defineOp<ArgMinMaxAttrs>({
    name: `arg_${kind}`,
    movesValues: () => 'order',
    infer({ attrs, inputs, node }) {
      const x = inputs[0]!;
      if (attrs.axis < 0 || attrs.axis >= x.shape.length) fail('E_SHAPE', `${describeNode(node.source)}: axis ${attrs.axis} is out of range for rank ${x.shape.length}`);
      return [{ dtype: attrs.indexType, shape: x.shape.filter((_, i) => i !== attrs.axis) }];
    },
    evaluate(attrs, inputs, outputs) {
      const x = inputs[0]!;
      const [outer, size, inner] = split(x.shape, attrs.axis);
      const index = new Int32Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let best = numberAt(x.data!, o * size * inner + i);
          for (let k = 1; k < size; k++) {
            const v = numberAt(x.data!, (o * size + k) * inner + i);
            if (better(v, best) || (attrs.selectLast === true && v === best)) {
              best = v;
              index[o * inner + i] = k;
            }
          }
        }
      }
      return [fromNumbers(outputs[0].dtype, index)];
    },
    lower(ctx) {
      const x = ctx.input(0);
      const y = ctx.output(0);
      const type = x.dtype === 'int8' ? 's8' : x.dtype === 'float32' ? 'f32' : undefined;
      if (!type || (y.dtype !== 'int32' && y.dtype !== 'int64')) {
        fail('E_UNSUPPORTED_TYPE', `${describeNode(ctx.node.source)}: arg_${kind} of ${x.dtype} to ${y.dtype} (float32 or int8 to int32 or int64 only)`);
      }
      const [outer, axisSize, inner] = split(x.shape, ctx.node.attrs.axis);
      const params = { outer, axis_size: axisSize, inner, is_max: kind === 'max' ? 1 : 0, index_bytes: y.dtype === 'int64' ? 8 : 4, ...(ctx.node.attrs.selectLast ? { select_last: 1 } : {}) };
      return [{
        kernel: `utvm_arg_minmax_${type}`,
        header: 'utvm/arg_minmax.h',
        args: [{ params, type: 'utvm_arg_minmax_params' }, { tensor: x.name }, { tensor: y.name }],
      }];
    },
    // types: int32 and int64 are the indices' (the output); the input is float32 or int8 (the importer checks).
    onnx: { [kind === 'max' ? 'ArgMax' : 'ArgMin']: importOnnxArg(kind) },
    tflite: { [builtin]: { maxVersion: 2, options: argOptions(optionsType), types: ['float32', 'int8', 'int32', 'int64'], import: importTfliteArg(kind) } },
  });
}

export const argMax = argOp('max', 'ARG_MAX', 40);
export const argMin = argOp('min', 'ARG_MIN', 57);

/** ONNX ArgMax / ArgMin → arg_max / arg_min (int64 indices), then a reshape when keepdims keeps the axis. */
function importOnnxArg(kind: Kind): OnnxImporter {
  return (node, ctx) => {
    const x = ctx.tensor(node.inputs[0]);
    const rank = x.shape.length;
    if (rank === 0) ctx.invalid('the input is a scalar');
    const axis = normalizeAxis(ctx, node.attrs.int('axis', 0), rank);
    const keepdims = node.attrs.int('keepdims', 1) !== 0;
    const selectLast = node.opset >= 12 && node.attrs.int('select_last_index', 0) !== 0;
    const attrs: ArgMinMaxAttrs = { axis, indexType: 'int64', ...(selectLast ? { selectLast } : {}) };
    if (!keepdims) {
      ctx.add(`arg_${kind}`, [node.inputs[0]], attrs, node.outputs.slice(0, 1));
      return;
    }
    const [y] = ctx.add(`arg_${kind}`, [node.inputs[0]], attrs);
    ctx.add('reshape', [y], { shape: x.shape.map((n, d) => (d === axis ? 1 : n)) }, node.outputs.slice(0, 1));
  };
}
