/**
 * Weights across memories: when the weights do not fit the board's weights memory (placement.weights, the
 * internal flash), the other memories whose board.json `holds` "weights" (the Disco's memory-mapped QSPI
 * flash) take the rest.
 *
 * The rule: each weight array gets a heat, accesses per byte — the multiply-accumulates of the nodes that
 * read it (or its element count, for a node without MACs) over its bytes; the hottest go first, each to
 * the fastest memory (lowest `speed`, the weights memory first among equals) with room left for it (ties:
 * fewer bytes first, then id). An array that fits nowhere goes to the largest memory, and the fit check
 * says by how many bytes it is over there. Placed weights carry `memory`; model.c puts them in the section
 * `.weights_<memory>` (macro <NAME>_WEIGHTS_<MEMORY>_SECTION). A program whose weights fit is unchanged.
 */

import { bytesOf } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { getOp } from '../ops/index.js';
import type { Board } from './boards.js';
import { capacityOf, holds } from './fit.js';
import type { Program, ProgramConstant } from './program.js';

const bytesOfConstant = (c: ProgramConstant): number => c.count * bytesOf(c.dtype);
/** Each array is aligned to 16 bytes in model.c: what it may take of a memory. */
const footprint = (c: ProgramConstant): number => Math.ceil(bytesOfConstant(c) / 16) * 16;

/**
 * Flash a specialised kernel call takes beyond CODE_RESERVE (src/emit/fit.ts): a `*_const` kernel is a
 * `static inline` body folded into model.c at each call (the conv2d `specialise` knob). Measured: MobileNetV2-224's 189
 * such calls add about 110 KB (under 600 bytes each); the weights memory keeps this much per call free.
 */
const SPECIALISED_CALL_BYTES = 640;

function specialisedCode(p: Program): number {
  let calls = 0;
  for (const s of p.steps) for (const c of s.calls) if (/_const\(/.test(c)) calls++;
  return calls * SPECIALISED_CALL_BYTES;
}

/** The program with its weights spread over the board's weights memories (the same program when they fit). */
export function placeWeights(p: Program, g: Graph, board: Board, sampleBytes = 0): Program {
  const primary = board.memories.find((m) => m.name === board.placement.weights);
  if (!primary) return p;
  const others = board.memories.filter((m) => m !== primary && holds(board, m, 'weights'));
  const code = specialisedCode(p);
  const room = (m: (typeof board.memories)[number]) => Math.max(0, capacityOf(board, m, 'weights', p, sampleBytes) - (m === primary ? code : 0));
  if (others.length === 0 || p.weightBytes <= room(primary)) return p;
  const memories = [primary, ...others]
    .map((m, i) => ({ m, i, left: room(m) }))
    .sort((a, b) => (a.m.speed ?? 0) - (b.m.speed ?? 0) || a.i - b.i);
  const largest = [...memories].sort((a, b) => b.m.size - a.m.size)[0];
  const work = new Map<string, number>();
  for (const node of g.nodes) {
    const macs = getOp(node.op).macs?.(node, g) ?? 0;
    for (const t of node.inputs) {
      if (t === '' || !g.isConstant(t)) continue;
      work.set(t, (work.get(t) ?? 0) + Math.max(macs, 1));
    }
  }
  const heat = (c: ProgramConstant) => (work.get(c.tensor) ?? 0) / Math.max(1, bytesOfConstant(c));
  const order = [...p.constants].sort((a, b) => heat(b) - heat(a) || footprint(a) - footprint(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const where = new Map<string, string>();
  for (const c of order) {
    const home = memories.find((x) => x.left >= footprint(c)) ?? largest;
    home.left -= footprint(c);
    where.set(c.id, home.m.name);
  }
  const constants = p.constants.map((c) => {
    const m = where.get(c.id);
    return m === undefined || m === primary.name ? c : { ...c, memory: m };
  });
  return { ...p, constants };
}
