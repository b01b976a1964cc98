/*
 * int16 MUL (16x8) of two inputs with the output's element count, for cores with the DSP extension
 * (chosen at lowering, src/ops/binary/s16.ts; elsewhere the instructions are their portable twins,
 * utvm/simd_s8.h), bit-exact with utvm_mul_s16 (utvm/binary.h), same parameters. Two elements per word,
 * as CMSIS-NN's arm_elementwise_mul_s16: SMULBB / SMULTT multiply the halfwords (zero points are 0, so
 * no offsets), then each product is requantized with utvm_dsp_requantize (utvm/dsp.h) and clamped.
 * The output may be a or b (in place): each word is read before it is written.
 */
#ifndef UTVM_MUL_S16_DSP_H
#define UTVM_MUL_S16_DSP_H

#include "utvm/binary.h"
#include "utvm/simd_s8.h" /* the kernel's source uses it: an export copies this header's closure */

void utvm_mul_s16_dsp(const utvm_mul_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count);

#endif /* UTVM_MUL_S16_DSP_H */
