/**
 * patch_stage: a run of convolution / pooling layers executed band by band (patch-based execution,
 * src/lower/patch/). The node exists only in a lowered graph, made by src/lower/patch/stage.ts with its
 * kernel calls already made: it is never imported, inferred, folded or lowered again. Its inputs are the
 * stage's external images, its outputs the stage's output and its tile buffers (`tiles`).
 */

import { defineOp } from './op.js';
import type { PatchStageAttrs } from '../lower/patch/stage.js';

export const patchStage = defineOp<PatchStageAttrs>({
  name: 'patch_stage',
  infer() {
    throw new Error('internal: patch_stage nodes are made by the patch planner, never inferred');
  },
  macs: (node) => (node.attrs as unknown as Partial<PatchStageAttrs>).macs ?? 0,
});
