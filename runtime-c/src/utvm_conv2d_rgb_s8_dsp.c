/*
 * First-layer int8 convolution (in_c < 4) for cores with the DSP extension; see
 * utvm/conv2d_rgb_s8_dsp.h: window rows gathered into int16 columns, 2 pixels x 2 channels per SMLAD pass.
 */
#define UTVM_RGB_OUT_OF_LINE
#include "utvm/conv2d_rgb_s8_dsp_const.h"

void utvm_conv2d_rgb_s8_dsp(const utvm_conv2d_params_s8 *p, const int8_t *input, const int32_t *weights,
                            const int32_t *bias, const int32_t *requant, int8_t *output, void *scratch)
{
    utvm_conv2d_rgb_s8_dsp_const(p, input, weights, bias, requant, output, scratch, 0);
}
