/**
 * The builtin options tables of the TFLite operators we import (schema.fbs: Conv2DOptions, Pool2DOptions,
 * …), read through the checked FlatReader of tflite-schema.ts with the schema's defaults for absent
 * fields. Field ids are the tables' declaration order. Each operator file declares how its builtin's
 * table is read (`TfliteOptionsTable`); the builtins imported so far share one flat TfliteOptions record
 * (`flatOptions`).
 */

import { FlatReader, Table, TfliteModel, TfliteOperator } from './tflite-schema.js';

/** BuiltinOptions union type ids of the option tables read so far (schema.fbs). */
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
  SubOptions: 28,
  UnidirectionalSequenceLSTMOptions: 71,
  TransposeConvOptions: 49,
  BatchMatMulOptions: 101,
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

/** The padding field (field 0 of the convolution and pooling tables). */
export function paddingField(r: FlatReader, t: Table): Padding {
  const p = r.int8(t, 0);
  if (p !== 0 && p !== 1) r.corrupt(`${t.what} has padding ${p} (neither SAME nor VALID)`);
  return p === 0 ? 'SAME' : 'VALID';
}

/**
 * How an operator reads its builtin options table: the table's union type id, its reader and the
 * options of an operator that stores no table. The operator's file declares it next to its importer
 * (src/ops/*.ts, the `tflite` field), so a new builtin's options need no edit here.
 */
export interface TfliteOptionsTable<O> {
  /** BuiltinOptions union type id of the table (schema.fbs). */
  type: number;
  /** The options from the table; absent fields take the schema's defaults. */
  read(r: FlatReader, t: Table): O;
  /** The options when the operator stores no table. */
  defaults: O;
}

/** A table read into the flat TfliteOptions record the importers of the builtins above share. */
export function flatOptions(type: number, read: (r: FlatReader, t: Table) => Partial<TfliteOptions>): TfliteOptionsTable<TfliteOptions> {
  return { type, read: (r, t) => ({ ...DEFAULT_OPTIONS, ...read(r, t) }), defaults: DEFAULT_OPTIONS };
}

/**
 * The options of an operator (its table's defaults when it stores none). `table` is the one its
 * builtin uses; an operator with a table of another type is corrupt.
 */
export function readOptions<O>(model: TfliteModel, op: TfliteOperator, table: TfliteOptionsTable<O> | undefined, where: string): O | TfliteOptions {
  const r = model.reader;
  if (table === undefined) return { ...DEFAULT_OPTIONS };
  if (op.optionsType === 0 || op.optionsPos === undefined) return { ...table.defaults };
  if (op.optionsType !== table.type) r.corrupt(`${where} has builtin options of type ${op.optionsType}, expected ${table.type}`);
  return table.read(r, r.tableAt(op.optionsPos, `${where} options`));
}
