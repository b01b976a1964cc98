/**
 * ONNX Identity and Dropout: in inference both are the same tensor under a new name, so the importers
 * make the output an alias of the input (no node, no copy). They are attached to the IR `copy` operator
 * (src/ops/copy.ts), the operator that means "the same values".
 *
 * Dropout (opsets 7–22) is the identity at inference: `ratio` (attribute before 12, input after) is
 * ignored. It is rejected when it would not be the identity or not expressible as an alias:
 *   - a `mask` output is requested (the compiler does not produce it);
 *   - `training_mode` (opset 12+) is a runtime value, or a constant true (random dropout).
 */

import type { ImportContext, OnnxImporter, OnnxNode } from './op.js';
import { constantScalar } from '../import/onnx/constants.js';

function importIdentity(node: OnnxNode, ctx: ImportContext): void {
  ctx.alias(node.outputs[0], node.inputs[0]);
}

function importDropout(node: OnnxNode, ctx: ImportContext): void {
  if (node.outputs.length > 1 && node.outputs[1] !== '') ctx.unsupported('Dropout with a mask output');
  if (node.opset >= 12) {
    const training = constantScalar(node, ctx, 2, 'training_mode');
    if (training !== undefined && training !== 0) ctx.unsupported('Dropout with training_mode=true');
  }
  ctx.alias(node.outputs[0], node.inputs[0]);
}

export const identityOnnxImporters: Record<string, OnnxImporter> = {
  Identity: importIdentity,
  Dropout: importDropout,
};
