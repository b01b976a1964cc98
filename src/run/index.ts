/**
 * runModel: compile a model and run it on a target with many input cases. Used by the CLI's `run` and
 * by the tests.
 */

import { compile, defaultModelName } from '../compile.js';
import type { TensorValue } from '../io/tensor-value.js';
import { runOnHost } from './host.js';

export type Target = 'host';

export interface RunOptions {
  target: Target;
  name?: string;
  bindInputs?: Map<string, TensorValue>;
}

export function runModel(model: Uint8Array, fileName: string, cases: TensorValue[][], options: RunOptions): TensorValue[][] {
  const name = options.name ?? defaultModelName(fileName);
  const result = compile(model, fileName, { name, board: 'host', bindInputs: options.bindInputs });
  return runOnHost(result.files, name, result.program.inputs, result.program.outputs, cases);
}
