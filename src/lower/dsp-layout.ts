/**
 * Weight layouts of the Cortex-M7 (DSP) int8 kernels, made at compile time: int8 weight rows [rows, K]
 * packed four bytes to an int32 word (little-endian: byte k of a word is weight 4j + k) and interleaved
 * `group` rows at a time, so the kernel's inner loop reads `group` consecutive aligned words per step of
 * four weights and extends each with SXTB16 (utvm/dsp.h). Rows are padded to K4 = K rounded up to 4 and
 * the row count to a multiple of `group`, with zeros (a zero weight adds nothing: exact).
 *
 *   word index ((b · K4/4) + j) · group + r  ←  bytes w[b·group + r][4j .. 4j + 3]
 */

/** K rounded up to a multiple of 4. */
export function depth4(k: number): number {
  return Math.ceil(k / 4) * 4;
}

/** `rows` × `k` int8 weights (row-major) → packed, interleaved int32 words (see above). */
export function packRowsS8(w: Int8Array, rows: number, k: number, group: number): Int32Array {
  const chunks = depth4(k) / 4;
  const blocks = Math.ceil(rows / group);
  const out = new Int32Array(blocks * chunks * group);
  for (let b = 0; b < blocks; b++) {
    for (let j = 0; j < chunks; j++) {
      for (let r = 0; r < group; r++) {
        const row = b * group + r;
        let word = 0;
        for (let i = 0; i < 4; i++) {
          const kk = 4 * j + i;
          const v = row < rows && kk < k ? w[row * k + kk] : 0;
          word |= (v & 0xff) << (8 * i);
        }
        out[(b * chunks + j) * group + r] = word;
      }
    }
  }
  return out;
}

/** An int32 bias padded with zeros to `count` entries (all zeros when absent). */
export function paddedBias(bias: Int32Array | undefined, count: number): Int32Array {
  const out = new Int32Array(count);
  if (bias) out.set(bias.subarray(0, Math.min(bias.length, count)));
  return out;
}

/**
 * `rows` × `k` int8 weights → the words of the 16x8 DSP kernels (utvm/fully_connected_s16_dsp.h): as
 * packRowsS8, but each word's bytes in the order w[4j], w[4j + 2], w[4j + 1], w[4j + 3], so that SXTB16
 * gives the pair (w[4j], w[4j + 1]) and SXTB16 ror 8 the pair (w[4j + 2], w[4j + 3]), matching the int16
 * input pairs read straight from memory.
 */
export function packRowsS16(w: Int8Array, rows: number, k: number, group: number): Int32Array {
  const k4 = depth4(k);
  const order = [0, 2, 1, 3];
  const permuted = new Int8Array(rows * k4);
  for (let r = 0; r < rows; r++) {
    for (let kk = 0; kk < k4; kk++) {
      const from = (kk & ~3) + order[kk & 3];
      permuted[r * k4 + kk] = from < k ? w[r * k + from] : 0;
    }
  }
  return packRowsS8(permuted, rows, k4, group);
}

/**
 * `rows` × `k` int8 weights → the words of the pair-packed int8 fully connected kernels
 * (utvm/fully_connected_s8_pair_dsp.h), `pairs` pairs of rows per block: for block c, group j of four
 * inputs and pair p (rows a = 2·pairs·c + 2p, b = a + 1), word 0 holds the int16 lanes (h(4j), h(4j + 2))
 * and word 1 (h(4j + 1), h(4j + 3)), h(k) = 256·w[a][k] + w[b][k] + 128 (high byte w[a][k], low byte
 * w[b][k] + 128). Rows past `rows` and inputs past `k` have weight 0 (lanes 128 on the b side: the kernel
 * reads zero inputs there).
 */
export function packPairsS8(w: Int8Array, rows: number, k: number, pairs: number): Int32Array {
  const groups = depth4(k) / 4;
  const blocks = Math.ceil(rows / (2 * pairs));
  const out = new Int32Array(blocks * groups * pairs * 2);
  const at = (row: number, kk: number): number => (row < rows && kk < k ? w[row * k + kk] : 0);
  const lane = (a: number, b: number, kk: number): number => ((at(a, kk) & 0xff) << 8) | ((at(b, kk) + 128) & 0xff);
  let i = 0;
  for (let c = 0; c < blocks; c++) {
    for (let j = 0; j < groups; j++) {
      for (let p = 0; p < pairs; p++) {
        const a = 2 * pairs * c + 2 * p;
        for (const first of [4 * j, 4 * j + 1]) out[i++] = lane(a, a + 1, first) | (lane(a, a + 1, first + 2) << 16);
      }
    }
  }
  return out;
}

/**
 * The bias of the pair-packed kernels: per pair of rows (a, b) the int32 values bias[a] and
 * bias[b] + 256·bias[a] (wrap-around), rows padded to a multiple of 2·pairs with zeros.
 */
export function pairBias(bias: Int32Array | undefined, rows: number, pairs: number): Int32Array {
  const count = Math.ceil(rows / (2 * pairs)) * 2 * pairs;
  const out = new Int32Array(count);
  const at = (r: number): number => (bias && r < rows ? bias[r] : 0);
  for (let a = 0; a < count; a += 2) {
    out[a] = at(a);
    out[a + 1] = (at(a + 1) + Math.imul(at(a), 256)) | 0;
  }
  return out;
}
