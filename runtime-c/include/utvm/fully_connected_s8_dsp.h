/*
 * The Cortex-M7 (ARMv7E-M DSP) variant of the int8 fully connected layer: same semantics, parameter
 * struct and bit-identical results as utvm_fully_connected_s8 (utvm/fully_connected_s8.h) — the input
 * offset folded into the bias at compile time — with four output features per pass over the input: each
 * input word is sign-extended once (SXTB16) and feeds four SMLAD pairs. Chosen once, at lowering, when
 * the board's core has the DSP extension (src/ops/gemm/s8.ts); portable C instructions elsewhere
 * (utvm/dsp.h).
 *
 * Layouts (compile time, src/lower/dsp-layout.ts):
 *   weights: int32 words packing int8 bytes, [ceil(out_features / 4)][K4 / 4][4], K4 = in_features
 *            rounded up to 4: word (b, j, r) holds weights k = 4j .. 4j + 3 of output feature 4b + r,
 *            little-endian; bytes past in_features and features past out_features are 0.
 *   bias:    int32 [out_features rounded up to 4] (bias with the input offset folded in, zeros past
 *            out_features), or NULL when every entry is 0.
 */
#ifndef UTVM_FULLY_CONNECTED_S8_DSP_H
#define UTVM_FULLY_CONNECTED_S8_DSP_H

#include "utvm/fully_connected_s8.h"
#include "utvm/dsp.h"
#include "utvm/dsp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * input:       int8 [batches, in_features], row-major (any alignment).
 * weights:     int32 packed words, see above.
 * bias:        int32 [out_features rounded up to 4], or NULL.
 * multipliers: int32 [out_features], or NULL for the per-tensor p->multiplier.
 * shifts:      int32 [out_features], or NULL for the per-tensor p->shift.
 * output:      int8 [batches, out_features], row-major; must not overlap the input.
 */
void utvm_fully_connected_s8_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                 const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                 int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_FULLY_CONNECTED_S8_DSP_H */
