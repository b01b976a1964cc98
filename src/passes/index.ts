/**
 * The ordered pass pipeline, Graph → Graph. Each pass is a standalone pure function.
 */

import { Graph } from '../ir/graph.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { foldFlattenTranspose } from './fold-flatten-transpose.js';
import { fuseActivations } from './fuse-activation.js';
import { fuseResidualAdds } from './fuse-residual-add.js';
import { foldQdq } from './qdq.js';
import { sinkTransposes } from './sink-transposes.js';

export interface Pass {
  name: string;
  run(g: Graph): Graph;
  /** Removes intermediate tensors (fusion across layers): skipped when every tensor is kept (debugTensors). */
  dropsTensors?: boolean;
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
  { name: 'fuse-residual-add', run: fuseResidualAdds, dropsTensors: true },
];

/** Runs the pipeline; `keepTensors` skips the passes that drop intermediate tensors. */
export function runPipeline(g: Graph, options: { keepTensors?: boolean } = {}): Graph {
  return PIPELINE.filter((p) => !(options.keepTensors && p.dropsTensors)).reduce((acc, p) => p.run(acc), g);
}
