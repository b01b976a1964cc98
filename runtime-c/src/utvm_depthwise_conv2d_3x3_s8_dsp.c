/*
 * 3x3 depthwise convolution, int8, four channels per SIMD step (see utvm/depthwise_conv2d_s8_dsp.h).
 *
 * One pixel is a loop over blocks of four channels; a block is up to nine taps, each guarded by "is this
 * tap inside the image" with the tap bounds passed as arguments. The pixel code is always inlined and
 * called with constant bounds for the nine usual cases (top / middle / bottom row × left / middle /
 * right column of a window that overhangs the image by at most one cell), so that each case compiles
 * to straight-line code with only its taps; any other case (tiny images, wide padding) and the last
 * channels when in_c is not a multiple of 4 take one out-of-line copy with runtime bounds.
 */
#define UTVM_DW3X3_OUT_OF_LINE
#include "utvm/depthwise_conv2d_3x3_s8_dsp_const.h"

void utvm_depthwise_conv2d_3x3_s8_dsp(const utvm_depthwise_conv2d_params_s8 *p, const int8_t *input,
                                      const int32_t *blocks, int8_t *output)
{
    utvm_depthwise_conv2d_3x3_s8_dsp_const(p, input, blocks, output);
}
