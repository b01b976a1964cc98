/*
 * int8 MUL of two inputs with the output's element count, for cores with the DSP extension (chosen at
 * lowering, src/ops/binary/s8.ts; elsewhere the instructions are their portable twins, utvm/simd_s8.h),
 * bit-exact with utvm_mul_s8 (utvm/binary.h), same parameters. Four elements per word, as CMSIS-NN's
 * arm_elementwise_mul_s8: SXTAB16 adds each input's offset to two sign-extended bytes at once (a + offset
 * fits int16: offsets in [-127, 128]), SMULBB / SMULTT multiply the lanes, then each product is
 * requantized with utvm_dsp_requantize (TFLite's MultiplyByQuantizedMultiplier, utvm/dsp.h), offset and
 * clamped. The output may be a or b (in place): each word is read before it is written.
 */
#ifndef UTVM_MUL_S8_DSP_H
#define UTVM_MUL_S8_DSP_H

#include "utvm/binary.h"
#include "utvm/simd_s8.h" /* the kernel's source uses it: an export copies this header's closure */

void utvm_mul_s8_dsp(const utvm_mul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t count);

#endif /* UTVM_MUL_S8_DSP_H */
