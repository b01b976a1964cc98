/**
 * Tests of stage 2 of the memory planner (src/plan/place.ts): hand-computed placements, the lower
 * bound, the conflict check, and a few hundred random liveness sets (seeded) on every strategy.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Buffer } from '../../src/plan/liveness.js';
import { mulberry32 } from '../../src/random.js';
import {
  PLACEMENT_STRATEGIES,
  arenaBytesOf,
  checkPlan,
  liveTogether,
  lowerBound,
  placeBuffers,
} from '../../src/plan/place.js';

function b(id: string, bytes: number, first: number, last: number): Buffer {
  return { id, tensors: [id], bytes, first, last, kind: 'tensor' };
}

function offsets(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries(map);
}

/** The project's seeded generator (src/random.ts), so failures reproduce. */
const prng = mulberry32;

function randomBuffers(rand: () => number): Buffer[] {
  const count = 1 + Math.floor(rand() * 40);
  const steps = 1 + Math.floor(rand() * 30);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const first = Math.floor(rand() * steps);
    const last = Math.min(steps - 1, first + Math.floor(rand() * rand() * steps));
    out.push(b(`t${i}`, 1 + Math.floor(rand() * 5000), first, last));
  }
  return out;
}

// P, Q, R, S: greedy by size wastes 48 bytes; a linear scan over time is optimal (112 = lower bound).
const PQRS = [b('P', 64, 0, 0), b('Q', 64, 2, 2), b('R', 48, 0, 1), b('S', 48, 1, 2)];

test('chain A -> B -> C: A and C share offset 0', () => {
  const chain = [b('A', 64, 0, 0), b('B', 64, 0, 1), b('C', 64, 1, 1)];
  const placed = placeBuffers(chain);
  assert.equal(offsets(placed.offsets), { A: 0, B: 64, C: 0 });
  assert.is(placed.arenaBytes, 128);
  assert.is(placed.strategy, 'greedy_by_size');
  assert.is(lowerBound(chain), 128);
});

test('buffers that never live together all sit at offset 0', () => {
  const bufs = [b('a', 32, 0, 0), b('b', 4096, 1, 1), b('c', 16, 2, 5)];
  for (const place of Object.values(PLACEMENT_STRATEGIES)) {
    assert.equal(offsets(place(bufs)), { a: 0, b: 0, c: 0 });
  }
});

test('greedy by size on P/Q/R/S gives the hand-computed 160-byte arena', () => {
  assert.equal(offsets(PLACEMENT_STRATEGIES.greedy_by_size(PQRS)), { P: 0, Q: 0, R: 64, S: 112 });
});

test('greedy by conflicts and by lifetime order R, S, P, Q on P/Q/R/S', () => {
  const expected = { P: 48, Q: 96, R: 0, S: 48 };
  assert.equal(offsets(PLACEMENT_STRATEGIES.greedy_by_conflicts(PQRS)), expected);
  assert.equal(offsets(PLACEMENT_STRATEGIES.greedy_by_lifetime(PQRS)), expected);
});

test('greedy by first use on P/Q/R/S reaches the lower bound, and the driver picks it', () => {
  assert.equal(offsets(PLACEMENT_STRATEGIES.greedy_by_first_use(PQRS)), { P: 0, Q: 48, R: 64, S: 0 });
  const placed = placeBuffers(PQRS);
  assert.is(placed.strategy, 'greedy_by_first_use');
  assert.is(placed.arenaBytes, 112);
  assert.is(lowerBound(PQRS), 112);
});

test('first fit uses a gap between two placed buffers', () => {
  const bufs = [b('E', 64, 0, 0), b('F', 64, 0, 1), b('G', 32, 1, 1), b('H', 32, 1, 1)];
  assert.equal(offsets(PLACEMENT_STRATEGIES.greedy_by_size(bufs)), { E: 0, F: 64, G: 0, H: 32 });
});

test('offsets stay 16-aligned when sizes are not', () => {
  const bufs = [b('a', 20, 0, 1), b('b', 3, 0, 1), b('c', 1, 1, 1)];
  const placed = PLACEMENT_STRATEGIES.greedy_by_size(bufs);
  assert.equal(offsets(placed), { a: 0, b: 32, c: 48 });
  assert.is(arenaBytesOf(bufs, placed), 49);
});

test('zero-byte buffers never conflict', () => {
  const bufs = [b('z', 0, 0, 1), b('a', 32, 0, 1)];
  const placed = placeBuffers(bufs);
  assert.equal(offsets(placed.offsets), { z: 0, a: 0 });
  assert.equal(checkPlan(bufs, placed.offsets), []);
});

test('lowerBound: empty, single step, staggered', () => {
  assert.is(lowerBound([]), 0);
  assert.is(lowerBound([b('a', 10, 3, 3), b('b', 20, 3, 3)]), 30);
  assert.is(lowerBound([b('a', 100, 0, 1), b('b', 50, 1, 2), b('c', 70, 2, 3), b('d', 10, 3, 3)]), 150);
});

test('checkPlan reports overlaps, missing and misaligned offsets, and nothing for disjoint lifetimes', () => {
  const bufs = [b('a', 64, 0, 1), b('b', 64, 1, 2), b('c', 64, 3, 3)];
  assert.equal(checkPlan(bufs, new Map([['a', 0], ['b', 64], ['c', 0]])), []);
  const clash = checkPlan(bufs, new Map([['a', 0], ['b', 48], ['c', 16]]));
  assert.equal(
    clash.map((c) => [c.a, c.b]),
    [['a', 'b']],
  );
  const bad = checkPlan(bufs, new Map([['a', 0], ['b', 8]]));
  assert.equal(
    bad.map((c) => c.message),
    ["buffer 'b' has a misaligned offset 8", "buffer 'c' has no offset"],
  );
});

test('liveTogether is inclusive at both ends', () => {
  assert.ok(liveTogether(b('a', 1, 0, 2), b('b', 1, 2, 4)));
  assert.not.ok(liveTogether(b('a', 1, 0, 1), b('b', 1, 2, 4)));
});

test('driver breaks ties by table order', () => {
  const chain = [b('A', 64, 0, 0), b('B', 64, 0, 1)];
  const table = {
    second: PLACEMENT_STRATEGIES.greedy_by_lifetime,
    first: PLACEMENT_STRATEGIES.greedy_by_size,
  };
  assert.is(placeBuffers(chain, table).strategy, 'second');
  assert.throws(() => placeBuffers(chain, {}), /internal: no placement strategy/);
});

test('random liveness sets: every strategy is conflict-free, aligned, and at or above the lower bound', () => {
  const rand = prng(20240607);
  for (let round = 0; round < 300; round++) {
    const bufs = randomBuffers(rand);
    const bound = lowerBound(bufs);
    let best = Infinity;
    for (const [name, place] of Object.entries(PLACEMENT_STRATEGIES)) {
      const placed = place(bufs);
      const conflicts = checkPlan(bufs, placed);
      assert.equal(conflicts, [], `round ${round} ${name}: ${conflicts.map((c) => c.message).join('; ')}`);
      assert.equal([...placed.keys()], bufs.map((x) => x.id), `round ${round} ${name}: keys in input order`);
      const arena = arenaBytesOf(bufs, placed);
      assert.is(arena, Math.max(0, ...bufs.map((x) => (placed.get(x.id) ?? NaN) + x.bytes)));
      assert.ok(arena >= bound, `round ${round} ${name}: arena ${arena} < lower bound ${bound}`);
      best = Math.min(best, arena);
    }
    const chosen = placeBuffers(bufs);
    assert.is(chosen.arenaBytes, best, `round ${round}: driver keeps the smallest arena`);
    assert.is(chosen.arenaBytes, arenaBytesOf(bufs, chosen.offsets));
  }
});

test('random liveness sets: placement does not depend on the order of the input list', () => {
  const rand = prng(7);
  for (let round = 0; round < 100; round++) {
    const bufs = randomBuffers(rand);
    const shuffled = [...bufs].sort(() => (rand() < 0.5 ? -1 : 1)).reverse();
    const a = placeBuffers(bufs);
    const c = placeBuffers(shuffled);
    assert.is(c.strategy, a.strategy);
    for (const x of bufs) assert.is(c.offsets.get(x.id), a.offsets.get(x.id));
  }
});

test.run();
