/**
 * The ordered pass pipeline, Graph → Graph. Each pass is a standalone pure function.
 */

import { Graph } from '../ir/graph.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { foldFlattenTranspose } from './fold-flatten-transpose.js';
import { foldPads } from './fold-pad.js';
import { fuseActivations } from './fuse-activation.js';
import { fuseResidualAdds } from './fuse-residual-add.js';
import { foldQdq } from './qdq.js';
import { sinkTransposes } from './sink-transposes.js';
import type { Rounding } from '../ir/quant.js';

export interface Pass {
  name: string;
  run(g: Graph): Graph;
  /** Removes intermediate tensors (fusion across layers): skipped when every tensor is kept (debugTensors). */
  dropsTensors?: boolean;
  /** Fuses requantizations the way only the fixed-point kernels do: skipped in the onnx rounding mode. */
  fixedPointOnly?: boolean;
}

export const PIPELINE: Pass[] = [
  { name: 'sink-transposes', run: sinkTransposes },
  { name: 'fold-batchnorm', run: foldBatchnorm },
  { name: 'fuse-activation', run: fuseActivations },
  // After the layout pass and the fusions (it sees NHWC with clamps), before the flatten fold (which then
  // permutes the int8 weights): src/passes/qdq.ts.
  { name: 'qdq', run: foldQdq },
  { name: 'fold-flatten-transpose', run: foldFlattenTranspose },
  { name: 'sink-transposes-again', run: sinkTransposes },
  { name: 'fold-pad', run: foldPads, dropsTensors: true },
  { name: 'fuse-residual-add', run: fuseResidualAdds, dropsTensors: true, fixedPointOnly: true },
];

/**
 * Runs the pipeline; `keepTensors` skips the passes that drop intermediate tensors, the onnx `rounding`
 * those that only the fixed-point kernels implement (onnxruntime rounds after the conv and after the add).
 */
export function runPipeline(g: Graph, options: { keepTensors?: boolean; rounding?: Rounding } = {}): Graph {
  const skip = (p: Pass) => (options.keepTensors && p.dropsTensors) || (options.rounding === 'onnx' && p.fixedPointOnly);
  return PIPELINE.filter((p) => !skip(p)).reduce((acc, p) => p.run(acc), g);
}
