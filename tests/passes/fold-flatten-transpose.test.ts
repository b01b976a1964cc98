/**
 * fold-flatten-transpose (src/passes/fold-flatten-transpose.ts): NHWC x → transpose to NCHW → flatten →
 * gemm / matmul with constant weights loses its transpose (a full copy of the activation) and gets
 * weights whose K rows are permuted at compile time instead: the graph computes the same values
 * (evaluated in TypeScript, tests/util/graph-eval.ts; the order of summation changes, so within 1e-6),
 * for gemm with transB 0 and 1, for matmul, and for two classifiers reading one flatten. The original
 * weights are not modified. Left alone: a flatten that is itself a graph output, run-time weights, a
 * transpose that moves the batch axis.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import { foldFlattenTranspose } from '../../src/passes/fold-flatten-transpose.js';
import { addNode, floatConstant, floatInput, graphOutputs, maxRelativeError, opsOf, randomInputs } from '../util/graph-eval.js';
import { mulberry32 } from '../util/random.js';

const GEMM = { transA: 0, transB: 0, alpha: 1, beta: 1 };

/** x[2,3,4,5] (NHWC) → transpose [0,3,1,2] → reshape [2, 60] → one classifier per entry of `heads`. */
function classifier(heads: ('gemm' | 'gemmT' | 'matmul')[], perm = [0, 3, 1, 2]): Graph {
  const rng = mulberry32(7);
  const g = new Graph('t');
  const t = addNode(g, 'transpose', [floatInput(g, 'x', [2, 3, 4, 5])], { perm }, 'to_nchw');
  const flat = addNode(g, 'reshape', t.outputs, { shape: [2, 60] }, 'flatten').outputs[0];
  heads.forEach((h, i) => {
    const y =
      h === 'matmul'
        ? addNode(g, 'matmul', [flat, floatConstant(g, rng, `w${i}`, [60, 7])], {}, `fc${i}`)
        : addNode(g, 'gemm', [flat, floatConstant(g, rng, `w${i}`, h === 'gemm' ? [60, 7] : [7, 60]), floatConstant(g, rng, `b${i}`, [7])], { ...GEMM, transB: h === 'gemm' ? 0 : 1 }, `fc${i}`);
    g.outputs.push(y.outputs[0]);
  });
  return g;
}

function assertFolded(g: Graph, seed: number): Graph {
  const weights = g.nodes.filter((n) => n.op !== 'transpose' && n.op !== 'reshape').map((n) => Array.from(g.tensor(n.inputs[1]).data as Float32Array));
  const out = foldFlattenTranspose(g);
  assert.not.ok(opsOf(out).includes('transpose'), `ops ${opsOf(out)}`);
  assert.equal(out.nodes[0].op, 'reshape');
  assert.equal(out.nodes[0].inputs, ['x'], 'the flatten reads the NHWC input directly');
  const inputs = randomInputs(g, mulberry32(seed));
  const [want, got] = [graphOutputs(g, inputs), graphOutputs(out, inputs)];
  want.forEach((w, i) => {
    const err = maxRelativeError(got[i], w);
    assert.ok(err < 1e-6, `output ${i}: max relative error ${err}`);
  });
  const heads = out.nodes.slice(1);
  heads.forEach((n, i) => {
    const w = Array.from(out.tensor(n.inputs[1]).data as Float32Array);
    assert.equal([...w].sort(), [...weights[i]].sort(), 'the same weights, permuted');
    assert.not.equal(w, weights[i], 'permuted');
  });
  const now = g.nodes.filter((n) => n.op !== 'transpose' && n.op !== 'reshape').map((n) => Array.from(g.tensor(n.inputs[1]).data as Float32Array));
  assert.equal(now, weights, 'the input graph keeps its weights');
  return out;
}

test('gemm (transB 0): transpose gone, K rows of the weights permuted, same outputs', () => {
  assertFolded(classifier(['gemm']), 1);
});

test('gemm (transB 1) and matmul, two classifiers on one flatten', () => {
  assertFolded(classifier(['gemmT', 'matmul']), 2);
});

test('left alone: the flatten is a graph output, run-time weights, a perm that moves the batch axis', () => {
  const output = classifier(['gemm']);
  output.outputs.push('flatten_out0');
  assert.equal(opsOf(foldFlattenTranspose(output)), ['transpose', 'reshape', 'gemm']);

  const runtime = classifier(['gemm']);
  runtime.tensors.set('w0', { ...runtime.tensor('w0'), data: undefined });
  runtime.inputs.push('w0');
  assert.equal(opsOf(foldFlattenTranspose(runtime)), ['transpose', 'reshape', 'gemm']);

  const batch = classifier([], [1, 0, 2, 3]);
  const rng = mulberry32(3);
  const t = batch.nodes[0];
  batch.nodes = [t];
  batch.tensors.delete('flatten_out0');
  const flat = addNode(batch, 'reshape', t.outputs, { shape: [3, 40] }, 'flatten').outputs[0];
  batch.outputs = [addNode(batch, 'gemm', [flat, floatConstant(batch, rng, 'w', [40, 2])], GEMM, 'fc').outputs[0]];
  assert.equal(opsOf(foldFlattenTranspose(batch)), ['transpose', 'reshape', 'gemm']);
});

test.run();
