/**
 * The builtin options tables of the TFLite operators we import (schema.fbs: Conv2DOptions, Pool2DOptions,
 * …), read through the checked FlatReader of tflite-schema.ts into one flat TfliteOptions record with
 * the schema's defaults for absent fields. Field ids are the tables' declaration order.
 */

import { FlatReader, Table, TfliteModel, TfliteOperator } from './tflite-schema.js';

/** BuiltinOptions union type ids of the option tables we read. */
export const OptionsType = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
} as const;

export type Padding = 'SAME' | 'VALID';

/** ActivationFunctionType enum value. */
export type Activation = number;

export interface TfliteOptions {
  padding: Padding;
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  filterW: number;
  filterH: number;
  depthMultiplier: number;
  activation: Activation;
  weightsFormat: number;
  keepNumDims: boolean;
  asymmetricQuantizeInputs: boolean;
  beta: number;
  axis: number;
  newShape?: number[];
  keepDims: boolean;
}

const DEFAULT_OPTIONS: TfliteOptions = {
  padding: 'SAME', strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, filterW: 1, filterH: 1,
  depthMultiplier: 1, activation: 0, weightsFormat: 0, keepNumDims: false, asymmetricQuantizeInputs: false,
  beta: 1, axis: 0, keepDims: false,
};

function padding(r: FlatReader, t: Table): Padding {
  const p = r.int8(t, 0);
  if (p !== 0 && p !== 1) r.corrupt(`${t.what} has padding ${p} (neither SAME nor VALID)`);
  return p === 0 ? 'SAME' : 'VALID';
}

/**
 * The options of an operator (defaults for absent fields). `expected` is the union type the operator's
 * builtin uses; an operator without options gets the defaults, one with another type is corrupt.
 */
export function readOptions(model: TfliteModel, op: TfliteOperator, expected: number | undefined, where: string): TfliteOptions {
  const r = model.reader;
  const o: TfliteOptions = { ...DEFAULT_OPTIONS };
  if (op.optionsType === 0 || op.optionsPos === undefined || expected === undefined) return o;
  if (op.optionsType !== expected) r.corrupt(`${where} has builtin options of type ${op.optionsType}, expected ${expected}`);
  const t = r.tableAt(op.optionsPos, `${where} options`);
  switch (expected) {
    case OptionsType.Conv2DOptions:
      return { ...o, padding: padding(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), activation: r.int8(t, 3),
        dilationW: r.int32(t, 4, 1), dilationH: r.int32(t, 5, 1) };
    case OptionsType.DepthwiseConv2DOptions:
      return { ...o, padding: padding(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), depthMultiplier: r.int32(t, 3),
        activation: r.int8(t, 4), dilationW: r.int32(t, 5, 1), dilationH: r.int32(t, 6, 1) };
    case OptionsType.Pool2DOptions:
      return { ...o, padding: padding(r, t), strideW: r.int32(t, 1), strideH: r.int32(t, 2), filterW: r.int32(t, 3),
        filterH: r.int32(t, 4), activation: r.int8(t, 5) };
    case OptionsType.FullyConnectedOptions:
      return { ...o, activation: r.int8(t, 0), weightsFormat: r.int8(t, 1), keepNumDims: r.bool(t, 2),
        asymmetricQuantizeInputs: r.bool(t, 3) };
    case OptionsType.SoftmaxOptions:
      return { ...o, beta: r.float32(t, 0) };
    case OptionsType.ConcatenationOptions:
      return { ...o, axis: r.int32(t, 0), activation: r.int8(t, 1) };
    case OptionsType.AddOptions:
    case OptionsType.MulOptions:
      return { ...o, activation: r.int8(t, 0) };
    case OptionsType.ReshapeOptions:
      return { ...o, newShape: r.has(t, 0) ? r.int32s(t, 0, 'new_shape') : undefined };
    case OptionsType.ReducerOptions:
      return { ...o, keepDims: r.bool(t, 0) };
    default:
      return o;
  }
}
