/**
 * runModel: compile a model and run it on a target with many input cases. Used by the CLI's `run` and
 * by the tests.
 */

import { compile, defaultModelName } from '../compile.js';
import type { TensorValue } from '../io/tensor-value.js';
import { runOnHost } from './host.js';
import { QEMU_BOARD, runOnQemu } from './qemu.js';

export type Target = 'host' | 'qemu';

export interface RunOptions {
  target: Target;
  name?: string;
  bindInputs?: Map<string, TensorValue>;
}

export function runModel(model: Uint8Array, fileName: string, cases: TensorValue[][], options: RunOptions): TensorValue[][] {
  const name = options.name ?? defaultModelName(fileName);
  const board = options.target === 'qemu' ? QEMU_BOARD : 'host';
  const result = compile(model, fileName, { name, board, bindInputs: options.bindInputs });
  if (options.target === 'qemu') return runOnQemu(result.files, result.board, name, result.program.inputs, result.program.outputs, cases);
  return runOnHost(result.files, name, result.program.inputs, result.program.outputs, cases);
}
