/*
 * The int8 fully connected layer with two output features per multiply (Cortex-M7, ARMv7E-M DSP): same
 * semantics, parameter struct and bit-identical results as utvm_fully_connected_s8
 * (utvm/fully_connected_s8.h), the input offset folded into the bias at compile time.
 *
 * The trick: the weights of two output features a and b at one input k are packed into one int16 lane
 * as h = 256·w[a][k] + (w[b][k] + 128) (high byte w[a][k], low byte w[b][k] + 128 in [0, 255]: every lane
 * is a valid int16). One SMLAD of a weight word with a pair of sign-extended inputs adds
 *   256·(w[a]·x) + (w[b]·x) + 128·(x sum)
 * to an accumulator R, and one SXTB16 ror 8 of the same word gives the pair of w[a] alone, whose SMLAD
 * adds w[a]·x to an accumulator A. So every weight word (four weights) costs one load, one SXTB16 and two
 * SMLADs instead of a load, two SXTB16 and two SMLADs. At the end, modulo 2^32 (SMLAD wraps):
 *   acc[a] = A,  acc[b] = R − 256·A − 128·Σx,
 * exact whatever the values (every step is a wrap-around int32 sum, as TFLite's accumulator).
 * The kernel starts A at bias[a] and R at bias[b] + 256·bias[a] − 128·Σx (the first two come from the
 * compiler, Σx is the input row's byte sum: one USADA8 per word).
 *
 * Each pass computes `2·P` output features (P pairs) over the whole input row, reading each input word
 * once (SXTB16 and SXTB16 ror 8: the even and odd inputs) for all of them:
 *   utvm_fully_connected_s8_pair1_dsp  P = 1 (2 rows per pass)
 *   utvm_fully_connected_s8_pair2_dsp  P = 2 (4 rows per pass)
 *   utvm_fully_connected_s8_pair3_dsp  P = 3 (6 rows per pass)
 * and utvm_fully_connected_s8_wide{1,2,3}_dsp, the same with the input row widened once per call into the
 * scratch buffer (utvm_fully_connected_s8_wide_scratch_bytes: the pairs (x0, x2), (x1, x3) of each group
 * of four inputs, one LDRD per group in the inner loop instead of a load and two SXTB16), the knob
 * `variant` of src/ops/gemm/s8.ts. All compute the same bytes.
 *
 * Layouts (compile time, src/lower/dsp-layout.ts packPairsS8), rows padded to a multiple of 2·P with zero
 * rows and K to K4 (a multiple of 4) with zero weights:
 *   weights: int32 words [ceil(N / 2P)][K4 / 4][P][2]: for block c, input group j, pair p (features
 *            a = 2P·c + 2p, b = a + 1): word 0 has the lanes (h(4j), h(4j + 2)), word 1 (h(4j + 1),
 *            h(4j + 3)), h(k) as above, lane 0 in the low half.
 *   bias:    int32 [ceil(N / 2P) · 2P]: per pair (bias'[a], bias'[b] + 256·bias'[a]) (int32 wrap-around),
 *            bias' the folded bias (zeros when it is absent).
 * Requantization: utvm/dsp_requant.h's short form (the compiler has checked its precondition).
 */
#ifndef UTVM_FULLY_CONNECTED_S8_PAIR_DSP_H
#define UTVM_FULLY_CONNECTED_S8_PAIR_DSP_H

#include "utvm/fully_connected_s8.h"
#include "utvm/dsp.h"
#include "utvm/dsp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * input:       int8 [batches, in_features], row-major (any alignment).
 * weights:     int32 words, see above.
 * bias:        int32 pairs, see above (never NULL).
 * multipliers: int32 [out_features], or NULL for the per-tensor p->multiplier.
 * shifts:      int32 [out_features], or NULL for the per-tensor p->shift.
 * output:      int8 [batches, out_features], row-major; must not overlap the input.
 */
void utvm_fully_connected_s8_pair1_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                       const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                       int8_t *output);
void utvm_fully_connected_s8_pair2_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                       const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                       int8_t *output);
void utvm_fully_connected_s8_pair3_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                       const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                       int8_t *output);

/* scratch: 4-byte aligned, of utvm_fully_connected_s8_wide_scratch_bytes(in_features) = 2 * K4 bytes. */
void utvm_fully_connected_s8_wide1_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                       const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                       int8_t *output, void *scratch);
void utvm_fully_connected_s8_wide2_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                       const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                       int8_t *output, void *scratch);
void utvm_fully_connected_s8_wide3_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                       const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                       int8_t *output, void *scratch);

/*
 * The wide kernels with the input widened `chunk` values at a time (a multiple of 4, >= 4), for long input
 * rows: scratch (4-byte aligned) of utvm_fully_connected_s8_chunk_scratch_bytes(in_features, out_features,
 * chunk, P) bytes: the widened chunk, then the 2P accumulators of every pass kept between chunks.
 */
void utvm_fully_connected_s8_chunk1_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                        int8_t *output, int32_t chunk, void *scratch);
void utvm_fully_connected_s8_chunk2_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                        int8_t *output, int32_t chunk, void *scratch);
void utvm_fully_connected_s8_chunk3_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                        int8_t *output, int32_t chunk, void *scratch);

static inline int32_t utvm_fully_connected_s8_chunk_scratch_bytes(int32_t in_features, int32_t out_features, int32_t chunk, int32_t pairs)
{
    const int32_t c = chunk < in_features ? chunk : in_features;
    return 2 * ((c + 3) & ~3) + 4 * ((out_features + 2 * pairs - 1) / (2 * pairs)) * 2 * pairs;
}

static inline int32_t utvm_fully_connected_s8_wide_scratch_bytes(int32_t in_features) { return 2 * ((in_features + 3) & ~3); }

#ifdef __cplusplus
}
#endif

#include "utvm/fully_connected_s8_pair_dsp_body.h"

#endif /* UTVM_FULLY_CONNECTED_S8_PAIR_DSP_H */
