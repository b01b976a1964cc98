/*
 * Fast int8 depthwise convolution for cores with the ARMv7E-M DSP extension (utvm/simd_s8.h), the
 * twin of utvm_depthwise_conv2d_s8 (utvm/conv2d_s8.h) with the same results bit for bit.
 *
 * utvm_depthwise_conv2d_3x3_s8_dsp: 3x3 window, depth multiplier 1, dilation 1, any stride and padding.
 * Channels innermost, four at a time: one 32-bit load brings a tap's four input channels, two SXTAB16
 * sign-extend them into 16-bit lanes with the input offset added, and SMLABB / SMLATT multiply each lane
 * by its weight (pre-extended to 16 bits and doubled at compile time) into four accumulators. Every pixel
 * runs its taps unrolled: the nine usual window positions (the window overhangs the image by at most one
 * cell on each side) each have code of their own with only the taps inside the input. The output stage
 * reads one record per channel (prepared at compile time): bias, SMMLAR (rounded high multiply, which on
 * the doubled sum is TFLite's doubling high multiply), one rounding shift with the output offset folded
 * in, SSAT, and the activation clamp on four bytes at once. Built without the DSP extension (the host)
 * the same code runs on the portable twins of the instructions.
 */
#ifndef UTVM_DEPTHWISE_CONV2D_S8_DSP_H
#define UTVM_DEPTHWISE_CONV2D_S8_DSP_H

#include "utvm/conv2d_s8.h"
#include "utvm/simd_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * p:           as for utvm_depthwise_conv2d_s8, with kernel_h = kernel_w = 3, depth_multiplier = 1,
 *              dilation_h = dilation_w = 1 (the compiler checks).
 * input:       int8 [batch, in_h, in_w, in_c], contiguous.
 * blocks:      int32 [ceil(in_c / 4), 34], packed at compile time, per block of channels c .. c+3:
 *              words 0 .. 17, for tap t = ky * 3 + kx: word 2t = {2 w[t][c], 2 w[t][c + 2]} and word
 *              2t + 1 = {2 w[t][c + 1], 2 w[t][c + 3]} as 16-bit lanes (bottom, top), the weights doubled
 *              (channels past in_c: 0); words 18 + 4k .. 21 + 4k, the record of channel c + k:
 *              {2 * bias (0 when none), multiplier in [0, 2^31), r = -shift in [1, 31],
 *              2^(r-1) + output_offset * 2^r} (channels past in_c: 0); requant.output_offset is not read.
 *              The compiler uses this kernel only when every shift is < 0, |bias| + 256 * sum |w| < 2^30
 *              and |bias| + 256 * sum |w| + 2^(r-1) + |output_offset| * 2^r + 1 < 2^31 for every channel
 *              (so the kernel's output stage is exact; see out_value in the .c file); else the portable one.
 *              Word-aligned (the kernel reads it with LDRD).
 * output:      int8 [batch, out_h, out_w, in_c], contiguous; must not overlap the input.
 */
void utvm_depthwise_conv2d_3x3_s8_dsp(const utvm_depthwise_conv2d_params_s8 *p, const int8_t *input,
                                      const int32_t *blocks, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_DEPTHWISE_CONV2D_S8_DSP_H */
