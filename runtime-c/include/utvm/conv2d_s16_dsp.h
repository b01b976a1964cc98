/*
 * The Cortex-M7 (ARMv7E-M DSP) variant of the 16x8 convolution utvm_conv2d_s16 (utvm/conv2d_s16.h): same
 * parameter struct and bit-identical results, for groups of at least 2 input channels (depthwise, one
 * channel a group, stays with the portable kernel). Four output channels of a group per pass: each tap's
 * int16 input pairs, read straight from memory once, feed four SXTB16-extended weight words: eight SMLADs
 * per four channels, the weight words' bytes stored in the order w0 w2 w1 w3 (as
 * utvm/fully_connected_s16_dsp.h).
 *
 * Accumulation: one product |w * x| <= 2^22, so an int32 partial sum of at most 508 products stays below
 * 2^31; the kernel adds its partial sums to int64 accumulators before they reach 508 products: the
 * portable kernel's exact int64 sum (taken modulo 2^32 with an int32 bias, as there).
 *
 * Weights (compile time, src/ops/conv2d/s16.ts packConvS16): int32 words,
 * [groups][ceil(group_oc / 4)][kernel_h][kernel_w][C4 / 4][4], C4 = in_c / groups rounded up to 4: word
 * (g, b, ky, kx, j, r) holds channels 4j .. 4j + 3 (bytes in the order 0 2 1 3) of output channel
 * g * group_oc + 4b + r at tap (ky, kx); channels past in_c / groups and rows past the group's are 0.
 */
#ifndef UTVM_CONV2D_S16_DSP_H
#define UTVM_CONV2D_S16_DSP_H

#include "utvm/conv2d_s16.h"
#include "utvm/dsp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As utvm_conv2d_s16, with the packed weights above; in_c / groups >= 2. */
void utvm_conv2d_s16_dsp(const utvm_conv2d_params_s16 *p, const int16_t *input, const int32_t *weights, const int32_t *bias32,
                         const int64_t *bias64, const int32_t *multipliers, const int32_t *shifts, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_CONV2D_S16_DSP_H */
