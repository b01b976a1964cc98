/**
 * bench: instructions per inference on the emulated Cortex-M7 are deterministic (QEMU -icount shift=0
 * counts instructions, not time), the per-layer lines match the model's steps, the MACs come from the
 * graph, and the flash split finds every weight array. Needs arm-none-eabi-gcc and qemu-system-arm.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bench, layerRate, parseConsole } from '../../src/bench.js';
import { buildCifar10Model } from '../../samples/cifar10/make-model.js';

test('the console parser reads the totals and the per-layer lines', () => {
  const p = parseConsole('output 0 ...\ncycles per inference: 1200 instructions\nlayer 0 conv 1: 40 instructions\nlayer 2 fc: 80 instructions\n');
  assert.is(p.total, 1200);
  assert.is(p.unit, 'instructions');
  assert.equal([...p.layers.entries()], [[0, { name: 'conv 1', count: 40 }], [2, { name: 'fc', count: 80 }]]);
});

test('bench of the CIFAR-10 sample: the same count twice, per-layer costs, MACs, arena and flash', () => {
  const model = buildCifar10Model();
  const a = bench(model, 'cifar10.onnx', 'cifar10');
  const b = bench(model, 'cifar10.onnx', 'cifar10');
  assert.is(a.unit, 'instructions');
  assert.ok(a.instructions > 1_000_000, `${a.instructions} instructions`);
  assert.is(b.instructions, a.instructions, 'the same build gives the same instruction count');
  assert.is(b.profiledInstructions, a.profiledInstructions);
  assert.equal(b.layers, a.layers);
  // the profiled build costs a little more; its layers add up to (almost) all of it
  const perLayer = a.layers.reduce((s, l) => s + l.instructions, 0);
  assert.ok(a.profiledInstructions >= a.instructions, 'profiling adds instructions');
  assert.ok(perLayer <= a.profiledInstructions && perLayer > 0.99 * a.profiledInstructions, `layers ${perLayer} of ${a.profiledInstructions}`);
  assert.ok(a.layers.every((l) => l.instructions > 0), 'every layer was measured');
  // MACs: conv 32x32x3 -> 32 (5x5) = 32*32*32 * 5*5*3, etc.: only convolutions and dense layers count
  const convs = a.layers.filter((l) => l.op === 'conv2d');
  assert.is(convs.length, 3);
  assert.ok(convs.every((l) => l.macs > 0));
  assert.ok(a.layers.filter((l) => l.op !== 'conv2d' && l.op !== 'gemm').every((l) => l.macs === 0));
  assert.is(a.macs, a.layers.reduce((s, l) => s + l.macs, 0));
  // output elements per layer, the unit of a layer without MACs: pool1 halves conv1's 32x32x32
  const pool1 = a.layers.find((l) => l.node === 'pool1')!;
  assert.is(pool1.elements, 16 * 16 * 32);
  assert.is(layerRate(pool1), `${(pool1.instructions / pool1.elements).toFixed(2)} /elem`);
  assert.is(layerRate(convs[0]), `${(convs[0].instructions / convs[0].macs).toFixed(2)} /MAC`);
  assert.is(a.arenaBytes, 163_840);
  assert.is(a.flash.weights, 358_312, 'every weight array found in the ELF');
  assert.is(a.flash.code + a.flash.weights, a.flash.total);
  assert.ok(a.flash.code > 1_000 && a.flash.code < 200_000, `code ${a.flash.code} bytes`);
});

test.run();
