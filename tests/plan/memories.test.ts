/**
 * Placement across memories (src/plan/memories.ts through planMemory, src/emit/fit.ts, src/emit/weights.ts):
 * which buffer lands in which memory on small hand-checked graphs, a plan that fits the primary memory
 * unchanged, the one-line per-memory fit errors with their exact text, and weights over FLASH then QSPI.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Graph } from '../../src/ir/graph.js';
import { planMemory } from '../../src/plan/index.js';
import type { ArenaMemory, MemoryPlan, OpInfo } from '../../src/plan/index.js';
import { loadBoard } from '../../src/emit/boards.js';
import { arenaMemories, fitProblem } from '../../src/emit/fit.js';
import { placeWeights } from '../../src/emit/weights.js';
import type { Program, ProgramConstant } from '../../src/emit/program.js';

/** fake_conv's MACs come from its `macs` attribute: they make the buffers it touches hot. */
const CONV: OpInfo = { macs: (n) => Number(n.attrs.macs ?? 0) };
const opInfo = (op: string): OpInfo => {
  if (op !== 'fake_conv') throw new Error(`test: unknown fake operator '${op}'`);
  return CONV;
};

function node(g: Graph, name: string, inputs: string[], outputs: string[], macs: number): void {
  g.nodes.push({ name, op: 'fake_conv', inputs, outputs, attrs: { macs }, source: { op: 'X', name } });
}

/** in(64 B) -conv1 (1000 MACs)-> a(128 B) -conv2 (5000)-> b(32 B) -conv3 (100)-> out(64 B); conv3 also reads a. */
function chain(): Graph {
  const g = new Graph('chain');
  g.addTensor({ name: 'in', dtype: 'float32', shape: [16] });
  g.addTensor({ name: 'a', dtype: 'float32', shape: [32] });
  g.addTensor({ name: 'b', dtype: 'float32', shape: [8] });
  g.addTensor({ name: 'out', dtype: 'float32', shape: [16] });
  g.inputs = ['in'];
  g.outputs = ['out'];
  node(g, 'conv1', ['in'], ['a'], 1000);
  node(g, 'conv2', ['a'], ['b'], 5000);
  node(g, 'conv3', ['b', 'a'], ['out'], 100);
  return g;
}

const MEMORIES: ArenaMemory[] = [
  { name: 'MAIN', capacity: 160, speed: 1 },
  { name: 'FAST', capacity: 64, speed: 0 },
  { name: 'SLOW', capacity: 100000, speed: 2 },
];

const where = (plan: MemoryPlan) => Object.fromEntries(plan.buffers.map((b) => [b.id, `${b.memory}@${b.offset}`]));

test('one arena when the plan fits the primary memory: the same offsets as without memories', () => {
  const g = chain();
  const plain = planMemory(g, opInfo);
  assert.is(plain.arenaBytes, 224); // step 2: a 128 + b 32 + out 64
  const roomy = planMemory(g, opInfo, { memories: { list: [{ ...MEMORIES[0], capacity: 224 }, MEMORIES[1], MEMORIES[2]], primary: 'MAIN' } });
  assert.is(planMemory(g, opInfo, { memories: { list: MEMORIES, primary: 'MAIN' } }).arenas.length, 3); // 224 > 160
  assert.equal(roomy.arenas.map((a) => [a.memory, a.arenaBytes]), [['MAIN', 224]]);
  assert.equal(roomy.buffers.map((b) => [b.id, b.offset]), plain.buffers.map((b) => [b.id, b.offset]));
  assert.ok(roomy.buffers.every((b) => b.memory === 'MAIN'));
});

test('too big for the primary memory: inputs/outputs pinned there, the hottest per byte in the fastest memory that holds it', () => {
  const g = chain();
  const plan = planMemory(g, opInfo, { memories: { list: MEMORIES, primary: 'MAIN' } });
  // heat: b (5000 + 100) / 32 = 159 > a (1000 + 5000 + 100) / 128 = 48; b fits FAST (64), a then fits
  // neither FAST (32 + 128) nor MAIN (live with in at step 0: 64 + 128 > 160): SLOW; in and out never
  // live together: both at offset 0 of MAIN
  assert.equal(where(plan), { in: 'MAIN@0', a: 'SLOW@0', b: 'FAST@0', out: 'MAIN@0' });
  assert.equal(plan.arenas.map((a) => [a.memory, a.arenaBytes, a.lowerBound]), [['MAIN', 64, 64], ['FAST', 32, 32], ['SLOW', 128, 128]]);
  assert.is(plan.memoryOf('a'), 'SLOW');
  assert.is(plan.memoryOf('b'), 'FAST');
  assert.is(plan.arenaBytes, 64); // the primary arena's size
  // deterministic
  assert.equal(where(planMemory(g, opInfo, { memories: { list: MEMORIES, primary: 'MAIN' } })), where(plan));
});

test('a buffer that fits no memory goes to the one with the most capacity, over it', () => {
  const g = chain();
  const small: ArenaMemory[] = [{ name: 'MAIN', capacity: 150, speed: 1 }, { name: 'FAST', capacity: 16, speed: 0 }];
  const plan = planMemory(g, opInfo, { memories: { list: small, primary: 'MAIN' } });
  // b (32 B) is too big for FAST (16) and joins MAIN; a fits nowhere: MAIN, the largest, 224 > 150
  assert.equal(where(plan), { in: 'MAIN@128', a: 'MAIN@0', b: 'MAIN@192', out: 'MAIN@128' });
  assert.equal(plan.arenas.map((a) => [a.memory, a.arenaBytes, a.capacity]), [['MAIN', 224, 150]]);
});

test('debugTensors plans (reuse false) stay one arena', () => {
  const plan = planMemory(chain(), opInfo, { reuse: false, memories: { list: MEMORIES, primary: 'MAIN' } });
  assert.is(plan.arenas.length, 1);
});

test('the Disco and Nucleo memories: capacities after the stack and .data/.bss, speed classes', () => {
  assert.equal(arenaMemories(loadBoard('stm32f746-disco')), {
    primary: 'SRAM1',
    list: [
      { name: 'DTCM', capacity: 65536 - 8192 - 24576, speed: 0 },
      { name: 'SRAM1', capacity: 245760, speed: 1 },
      { name: 'SRAM2', capacity: 16384, speed: 1 },
      { name: 'SDRAM', capacity: 8388608, speed: 2 },
    ],
  });
  assert.equal(arenaMemories(loadBoard('stm32f746-nucleo'))?.list.map((m) => m.name), ['DTCM', 'SRAM1', 'SRAM2']);
  assert.equal(arenaMemories(loadBoard('qemu-mps2-an500'))?.list.map((m) => m.name), ['PSRAM']);
  assert.is(arenaMemories(loadBoard('host')), undefined);
});

function program(arenas: [string, number][], constants: Partial<ProgramConstant>[] = []): Program {
  return {
    name: 'm',
    arenaBytes: arenas[0][1],
    arenas: arenas.map(([memory, bytes], i) => ({ memory, id: i === 0 ? 'arena' : `arena_${memory.toLowerCase()}`, bytes })),
    constants: constants.map((c, i) => ({ id: `w${i}`, tensor: `w${i}`, ctype: 'int8_t', dtype: 'int8', count: 0, data: new Int8Array(0), ...c })),
    weightBytes: constants.reduce((s, c) => s + (c.count ?? 0), 0),
    inputs: [],
    outputs: [],
    steps: [],
    headers: [],
    kernels: [],
    state: [],
  } as Program;
}

test('the fit check per memory: one line, by how many bytes, in which memory', () => {
  const disco = loadBoard('stm32f746-disco');
  assert.is(fitProblem(disco, program([['SRAM1', 245760], ['DTCM', 32768], ['SDRAM', 8388608]])), undefined);
  assert.is(
    fitProblem(disco, program([['SRAM1', 300000], ['DTCM', 40000], ['SDRAM', 100]])),
    "model 'm' does not fit board 'stm32f746-disco': the arena does not fit (by 54240 bytes, in SRAM1: needs 300000 bytes, has 245760) and the arena does not fit (by 7232 bytes, in DTCM: needs 40000 bytes, has 32768)",
  );
  assert.is(
    fitProblem(disco, program([['SRAM1', 1000], ['SDRAM', 8388609]], [{ count: 900000 }, { count: 16777217, memory: 'QSPI' }])),
    "model 'm' does not fit board 'stm32f746-disco': the arena does not fit (by 1 bytes, in SDRAM: needs 8388609 bytes, has 8388608) and the weights do not fit (by 1 bytes, in QSPI: need 16777217 bytes, has 16777216)",
  );
});

test('weights: the hottest per byte stay in the internal flash, the rest go to QSPI; weights that fit are not moved', () => {
  const disco = loadBoard('stm32f746-disco');
  const g = new Graph('w');
  const sizes = { hot: 600000, warm: 300000, cold: 400000 };
  for (const [name, n] of Object.entries(sizes)) g.addTensor({ name, dtype: 'int8', shape: [n], data: new Int8Array(0) });
  g.addTensor({ name: 'x', dtype: 'int8', shape: [4] });
  g.addTensor({ name: 'y', dtype: 'int8', shape: [4] });
  g.inputs = ['x'];
  g.outputs = ['y'];
  // 'add' has no MACs: each read of a weight counts 1
  g.nodes.push({ name: 'n', op: 'add', inputs: ['x', 'hot', 'hot', 'hot', 'warm', 'warm', 'cold'], outputs: ['y'], attrs: {}, source: { op: 'X', name: 'n' } });
  const p = program([['SRAM1', 16]], Object.entries(sizes).map(([tensor, count]) => ({ tensor, count })));
  const placed = placeWeights(p, g, disco);
  // reads per byte: hot 3/600000, warm 2/300000, cold 1/400000: warm, hot, then cold; FLASH has 983040
  assert.equal(placed.constants.map((c) => [c.tensor, c.memory ?? 'FLASH']), [['hot', 'FLASH'], ['warm', 'FLASH'], ['cold', 'QSPI']]);
  assert.is(fitProblem(disco, placed), undefined);
  const fits = program([['SRAM1', 16]], [{ tensor: 'hot', count: 600000 }]);
  assert.is(placeWeights(fits, g, disco), fits);
  assert.ok(fitProblem(loadBoard('stm32f746-nucleo'), placeWeights(p, g, loadBoard('stm32f746-nucleo')))?.includes('the weights need 1300000 bytes but FLASH has 983040'));
});

test.run();
