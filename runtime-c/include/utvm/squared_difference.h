/*
 * SQUARED_DIFFERENCE: out = (a - b)^2 with numpy broadcasting (TFLite SQUARED_DIFFERENCE).
 *
 * p:       output shape and per-input strides, utvm_broadcast_params (utvm/binary.h); a flat case is one dim.
 * a, b:    inputs, read through p's strides.
 * out:     contiguous, p's element count; it may be a or b when that input has the output's shape.
 *
 * int8 (TFLite Micro's squared_difference.cc): each input v becomes
 *   v' = requantize((v + input_offset) << 7, input_multiplier, input_shift)
 * (a common scale), then out = requantize((a' - b')^2, output_multiplier, output_shift) + output_offset,
 * saturated to int8. v' depends on one int8 value: the compiler evaluates it for all 256 values into
 * lut_a and lut_b (int16 [256], index = the byte as unsigned), so the kernel only requantizes the square.
 * |a' - b'| <= 255 * 2^7, so the square fits int32.
 */
#ifndef UTVM_SQUARED_DIFFERENCE_H
#define UTVM_SQUARED_DIFFERENCE_H

#include "utvm/binary.h"
#include "utvm/simd_s8.h" /* utvm_requantize_fast, for the int8 kernel */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* (2 max(s_a, s_b))^2 / (2^14 s_out): multiplier [2^30, 2^31) or 0, shift [-31, 30]. */
    int32_t output_multiplier;
    int32_t output_shift;
    /* Zero point of out. Range: [-128, 127]. */
    int32_t output_offset;
} utvm_squared_difference_params_s8;

void utvm_squared_difference_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_squared_difference_s8(const utvm_squared_difference_params_s8 *q, const utvm_broadcast_params *p,
                                const int16_t *lut_a, const int16_t *lut_b, const int8_t *a, const int8_t *b, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_SQUARED_DIFFERENCE_H */
