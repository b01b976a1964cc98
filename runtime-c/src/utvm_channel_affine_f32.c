/* Per-channel scale and shift, float32, channel innermost (see utvm/batchnorm.h). */
#include "utvm/batchnorm.h"

void utvm_channel_affine_f32(const utvm_channel_affine_params *p, const float *input, const float *scale,
                             const float *shift, float *output)
{
    for (int32_t i = 0; i < p->outer; i++) {
        for (int32_t c = 0; c < p->channels; c++) output[c] = input[c] * scale[c] + shift[c];
        input += p->channels;
        output += p->channels;
    }
}
