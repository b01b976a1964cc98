/*
 * int8 convolution, groups 1, for cores with the DSP extension, with the output stage from per-channel
 * records (see utvm/conv2d_s8_dsp.h): the columns and the 2 x 2 SMLAD block of utvm_conv2d_s8_dsp
 * (utvm/conv2d_s8_dsp_core.h), then one SMMULR, a rounding shift that adds the output offset, and the clamp
 * per output (utvm_conv_out_dsp), as utvm_conv2d_1x1_s8_dsp does.
 */
#define UTVM_CDSP_OUT_OF_LINE
#include "utvm/conv2d_s8_dsp_core.h"

void utvm_conv2d_s8_dsp_rec(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *channels, int8_t *output, void *scratch)
{
    utvm_conv2d_s8_dsp_rec_const(p, input, weights, channels, output, scratch, 0);
}
