/*
 * The Cortex-M7 variant of the 16x8 depthwise convolution (utvm_conv2d_s16 with groups = in_c = out_c:
 * channel multiplier 1), same parameter struct and bit-identical results: two channels per pass with
 * int32 accumulators (SMLABB-style 16 x 16 multiply-accumulates on int16 weights extended at compile time),
 * widened to int64 once per output. Exact because kernel_h * kernel_w <= 511 (checked by the compiler,
 * src/ops/conv2d/s16.ts): one product |w * x| <= 2^22 and 511 * 2^22 < 2^31.
 *
 * Weights (compile time): int16 [kernel_h][kernel_w][out_c], w[ky][kx][c] = the int8 weight of channel c.
 */
#ifndef UTVM_DEPTHWISE_CONV2D_S16_DSP_H
#define UTVM_DEPTHWISE_CONV2D_S16_DSP_H

#include "utvm/conv2d_s16.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As utvm_conv2d_s16 with p->groups == p->in_c == p->out_c and the int16 weights above. */
void utvm_depthwise_conv2d_s16_dsp(const utvm_conv2d_params_s16 *p, const int16_t *input, const int16_t *weights,
                                   const int32_t *bias32, const int64_t *bias64, const int32_t *multipliers,
                                   const int32_t *shifts, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_DEPTHWISE_CONV2D_S16_DSP_H */
