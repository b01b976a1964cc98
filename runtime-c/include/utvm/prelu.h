/*
 * PRELU: out = x >= 0 ? x : x * alpha, alpha broadcast against x (TFLite PRELU).
 *
 * p:       output shape and the strides of x (a_strides) and alpha (b_strides), utvm_broadcast_params
 *          (utvm/binary.h); a flat case is one dim.
 * x:       input, read through p's a strides. alpha: slopes, read through p's b strides.
 * out:     contiguous, p's element count; it may be x when x has the output's shape (in place).
 *
 * int8 (TFLite Micro's reference BroadcastPrelu4DSlow): with x' = x + input_offset,
 *   x' >= 0: requantize(x', multiplier_pos, shift_pos)
 *   x' <  0: requantize(x' * (alpha + alpha_offset), multiplier_neg, shift_neg)
 * plus output_offset, saturated to int8. The compiler computes the multipliers from the scales, and the
 * first branch for every int8 x into lut_pos (int8 [256], index = the byte as unsigned; entries with
 * x' < 0 are not read).
 */
#ifndef UTVM_PRELU_H
#define UTVM_PRELU_H

#include "utvm/binary.h"
#include "utvm/simd_s8.h" /* utvm_requantize_fast, for the int8 kernel */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Minus the zero point of x. Range: [-127, 128]. */
    int32_t input_offset;
    /* Minus the zero point of alpha. Range: [-127, 128]. */
    int32_t alpha_offset;
    /* Zero point of out. Range: [-128, 127]. */
    int32_t output_offset;
    /* s_x / s_out as multiplier and shift (TFLite's QuantizeMultiplier). Multiplier: [2^30, 2^31) or 0; shift: [-31, 30]. */
    int32_t multiplier_pos;
    int32_t shift_pos;
    /* s_x * s_alpha / s_out, likewise. */
    int32_t multiplier_neg;
    int32_t shift_neg;
} utvm_prelu_params_s8;

void utvm_prelu_f32(const utvm_broadcast_params *p, const float *x, const float *alpha, float *out);
void utvm_prelu_s8(const utvm_prelu_params_s8 *q, const utvm_broadcast_params *p, const int8_t *lut_pos, const int8_t *x,
                   const int8_t *alpha, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_PRELU_H */
