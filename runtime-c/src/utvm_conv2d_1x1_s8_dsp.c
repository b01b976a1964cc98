/*
 * 1x1 int8 convolution for cores with the DSP extension (see utvm/conv2d_s8_dsp.h): two output pixels'
 * input channels sign-extended once into int16 columns, then 2 pixels x 2 channels of SMLAD per weight
 * word, and an output stage from per-channel records prepared at compile time (one SMMULR, a rounding
 * shift and the clamp per output).
 */
#include "utvm/conv2d_1x1_s8_dsp_const.h"

void utvm_conv2d_1x1_s8_dsp(const utvm_conv2d_1x1_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *channels, int8_t *output, void *scratch)
{
    utvm_conv2d_1x1_s8_dsp_const(p, input, weights, channels, output, scratch, 0);
}
