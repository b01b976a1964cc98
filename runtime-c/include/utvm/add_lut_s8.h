/*
 * int8 ADD with the per-input rescaling looked up in two 256-entry tables: the twin of utvm_add_s8
 * (utvm/binary.h) with the same results bit for bit.
 *
 * TensorFlow Lite's int8 ADD first rescales each input on its own,
 *   a' = requantize((a + input1_offset) << left_shift, input1_multiplier, input1_shift)   (b' likewise),
 * which depends on one int8 value only: the compiler evaluates it for all 256 values (src/ops/binary/s8.ts)
 * and the kernel reads lut_a[(uint8_t)a] + lut_b[(uint8_t)b], then requantizes the sum as utvm_add_s8 does.
 * Two roundings become one lookup each; the output requantization stays exact (utvm_requantize_fast).
 */
#ifndef UTVM_ADD_LUT_S8_H
#define UTVM_ADD_LUT_S8_H

#include "utvm/binary.h"
#include "utvm/simd_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * out[i] = clamp(requantize(lut_a[(uint8_t)a[i]] + lut_b[(uint8_t)b[i]], output_multiplier, output_shift)
 *          + output_offset, act_min, act_max) for i in [0, count).
 * p:            utvm_add_params_s8; only output_multiplier, output_shift, output_offset, act_min and
 *               act_max are read (the input fields are inside the tables).
 * lut_a, lut_b: int32 [256], index = the input byte as unsigned (value v at index v & 255).
 * a, b, out:    int8, count elements each; out may be a or b (in place), not a partial overlap.
 */
void utvm_add_lut_s8(const utvm_add_params_s8 *p, const int32_t *lut_a, const int32_t *lut_b, const int8_t *a,
                     const int8_t *b, int8_t *out, int32_t count);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_ADD_LUT_S8_H */
