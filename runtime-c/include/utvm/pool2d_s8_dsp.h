/*
 * int8 pooling for cores with the DSP extension (chosen at lowering, src/ops/pool2d/s8.ts; on other
 * cores the instructions are their portable twins, utvm/simd_s8.h), bit-exact with utvm_max_pool2d_s8
 * and utvm_avg_pool2d_s8 (utvm/pool2d.h), same parameters:
 *   utvm_max_pool2d_s8_dsp  four channels per word: SSUB8 + SEL take the byte-wise max of the taps and
 *                           clamp to the activation range;
 *   utvm_avg_pool2d_s8_dsp  four channels per word summed with SXTAB16 into two pairs of int16 lanes
 *                           (exact while a window holds at most UTVM_AVG_POOL_DSP_MAX_TAPS taps:
 *                           255 * 128 < 2^15), then divided as the portable kernel does;
 *   utvm_avg_pool2d_s8_dsp_x2   the same sums, two words (8 channels) per pass over the window, and
 *   utvm_avg_pool2d_s8_dsp_x4   four words (16 channels): each tap's address serves several words (the
 *                           tuning knob `channel_words` of src/ops/pool2d/s8.ts; bit-identical outputs).
 * Channels past the last multiple of 4 take the scalar path. The input may be at any byte alignment.
 */
#ifndef UTVM_POOL2D_S8_DSP_H
#define UTVM_POOL2D_S8_DSP_H

#include "utvm/pool2d.h"
#include "utvm/simd_s8.h" /* the kernels' sources use it: an export copies this header's closure */

#define UTVM_AVG_POOL_DSP_MAX_TAPS 255

void utvm_max_pool2d_s8_dsp(const utvm_pool2d_params_s8 *p, const int8_t *input, int8_t *output);

/* Precondition: kernel_h * kernel_w <= UTVM_AVG_POOL_DSP_MAX_TAPS. */
void utvm_avg_pool2d_s8_dsp(const utvm_pool2d_params_s8 *p, const int8_t *input, int8_t *output);
void utvm_avg_pool2d_s8_dsp_x2(const utvm_pool2d_params_s8 *p, const int8_t *input, int8_t *output);
void utvm_avg_pool2d_s8_dsp_x4(const utvm_pool2d_params_s8 *p, const int8_t *input, int8_t *output);

#endif /* UTVM_POOL2D_S8_DSP_H */
