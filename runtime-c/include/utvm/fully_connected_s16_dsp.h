/*
 * The Cortex-M7 (ARMv7E-M DSP) variant of the 16x8 fully connected layer: same parameter struct and
 * bit-identical results as utvm_fully_connected_s16 (utvm/fully_connected_s16.h), with four output
 * features per pass over the input. Each step of four features k reads the int16 input as two pairs
 * (x0, x1), (x2, x3) — int16 lanes need no extension — and one packed weight word per output feature,
 * whose bytes are stored in the order w0 w2 w1 w3 so that SXTB16 gives the pair (w0, w1) and SXTB16 ror 8
 * the pair (w2, w3): two SMLADs per four multiply-accumulates.
 *
 * Accumulation: one product |w * x| <= 128 * 32768 = 2^22, so an int32 partial sum over a block of 256
 * features stays within 2^30; the kernel sums blocks of 256 in int32 (SMLAD) and adds each block to an
 * int64 accumulator, which is what the portable kernel's int64 sum gives exactly. With an int32 bias
 * (p->wide == 0) the result is then taken modulo 2^32, as the portable kernel does.
 *
 * The input offset is folded into the bias at compile time (src/ops/gemm/s16.ts): p->input_offset must be
 * 0, and the bias (bias64 when p->wide, else bias32) holds bias[n] + input_offset * sum_k w[n][k].
 *
 * Weights (compile time, src/lower/dsp-layout.ts packRowsS16): int32 words, [ceil(out_features / 4)][K4 / 4][4],
 * K4 = in_features rounded up to 4: word (b, j, r) holds weights 4j, 4j + 2, 4j + 1, 4j + 3 of output
 * feature 4b + r, in byte order; bytes past in_features and features past out_features are 0.
 */
#ifndef UTVM_FULLY_CONNECTED_S16_DSP_H
#define UTVM_FULLY_CONNECTED_S16_DSP_H

#include "utvm/fully_connected_s16.h"
#include "utvm/dsp.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * in: int16 [batches, in_features] (any alignment); weights: packed words, see above; bias32 / bias64:
 * [out_features] or NULL (the one `wide` says, the other NULL); multipliers, shifts: [out_features] or NULL
 * (shared); out: int16 [batches, out_features], not overlapping in.
 */
void utvm_fully_connected_s16_dsp(const utvm_fully_connected_params_s16 *p, const int16_t *in, const int32_t *weights,
                                  const int32_t *bias32, const int64_t *bias64, const int32_t *multipliers,
                                  const int32_t *shifts, int16_t *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_FULLY_CONNECTED_S16_DSP_H */
