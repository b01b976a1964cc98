/*
 * The Cortex-M7 (ARMv7E-M DSP) variant of the 16x8 convolution utvm_conv2d_s16 (utvm/conv2d_s16.h): same
 * parameter struct and bit-identical results, for groups of at least 2 input channels (depthwise, one
 * channel a group, stays with the portable kernel). Each tap's channel run is a dot product of int16 input
 * pairs, read straight from memory, with SXTB16-extended weight pairs: two SMLADs per four channels, the
 * weight words' bytes stored in the order w0 w2 w1 w3 (as utvm/fully_connected_s16_dsp.h).
 *
 * Accumulation: one product |w * x| <= 2^22, so an int32 partial sum over at most 256 channels of one tap
 * stays within 2^30; each such partial sum is added to an int64 accumulator: the portable kernel's exact
 * int64 sum (taken modulo 2^32 with an int32 bias, as there).
 *
 * Weights (compile time, src/lower/dsp-layout.ts packRowsS16 with group 1): int32 words,
 * [out_c][kernel_h][kernel_w][C4 / 4], C4 = in_c / groups rounded up to 4, bytes past the group's channels 0.
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
