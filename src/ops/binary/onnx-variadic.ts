/**
 * ONNX importers onto the binary maximum / minimum and prelu operators (src/ops/binary/minmax.ts, prelu.ts).
 *
 * Max / Min (opsets 6, 8, 12, 13): variadic; one input is a copy of it, more fold into a chain of binary
 * maximum (minimum) nodes, left to right, each broadcasting as numpy does (from opset 8; before it the
 * inputs have one shape, which the same rules accept).
 * PRelu (opsets 6, 7, 9, 16): slope broadcast unidirectionally to X (numpy rules, the result has X's shape);
 * before opset 7 a 1-D slope of X's channel count (dimension 1) is per channel, as PyTorch exported it.
 */

import type { ImportContext, OnnxNode } from '../op.js';
import { broadcastShapes } from './index.js';

/** Max or Min onto a chain of `kind` nodes. */
export function importVariadicMinMax(kind: 'maximum' | 'minimum') {
  return (node: OnnxNode, ctx: ImportContext): void => {
    const inputs = node.inputs.filter((i) => i !== '');
    if (inputs.length === 0 || inputs.length !== node.inputs.length) ctx.invalid(`${node.opType} needs one or more inputs, none omitted`);
    if (inputs.length === 1) {
      ctx.alias(node.outputs[0], inputs[0]);
      return;
    }
    let acc = inputs[0];
    for (let i = 1; i < inputs.length; i++) {
      const last = i === inputs.length - 1;
      [acc] = ctx.add(kind, [acc, inputs[i]], {}, last ? node.outputs.slice(0, 1) : undefined);
    }
  };
}

/** PRelu onto prelu. */
export function importPrelu(node: OnnxNode, ctx: ImportContext): void {
  if (node.inputs.length < 2 || node.inputs[0] === '' || node.inputs[1] === '') ctx.invalid('PRelu needs inputs X and slope');
  const x = ctx.tensor(node.inputs[0]);
  let slope = node.inputs[1];
  const s = ctx.tensor(slope).shape;
  if (node.opset < 7 && s.length === 1 && x.shape.length > 2 && s[0] === x.shape[1] && s[0] !== 1) {
    const perChannel = [s[0], ...x.shape.slice(2).map(() => 1)];
    [slope] = ctx.add('reshape', [slope], { shape: perChannel });
  }
  const out = broadcastShapes(x.shape, ctx.tensor(slope).shape);
  if (!out || out.length !== x.shape.length || out.some((d, i) => d !== x.shape[i])) {
    ctx.invalid(`slope of shape [${ctx.tensor(slope).shape}] does not broadcast to X of shape [${x.shape}]`);
  }
  ctx.add('prelu', [node.inputs[0], slope], {}, node.outputs.slice(0, 1));
}
