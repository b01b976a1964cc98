/**
 * The ordered pass pipeline, Graph → Graph. Each pass is a standalone pure function.
 */

import { Graph } from '../ir/graph.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { foldFlattenTranspose } from './fold-flatten-transpose.js';
import { fuseActivations } from './fuse-activation.js';
import { sinkTransposes } from './sink-transposes.js';

export interface Pass {
  name: string;
  run(g: Graph): Graph;
}

export const PIPELINE: Pass[] = [
  { name: 'sink-transposes', run: sinkTransposes },
  { name: 'fold-batchnorm', run: foldBatchnorm },
  { name: 'fuse-activation', run: fuseActivations },
  { name: 'fold-flatten-transpose', run: foldFlattenTranspose },
  { name: 'sink-transposes-again', run: sinkTransposes },
];

export function runPipeline(g: Graph): Graph {
  return PIPELINE.reduce((acc, p) => p.run(acc), g);
}
