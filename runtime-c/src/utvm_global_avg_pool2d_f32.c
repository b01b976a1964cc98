/* Global average pooling, float32, NHWC (see utvm/pool2d.h). */
#include "utvm/pool2d.h"

void utvm_global_avg_pool2d_f32(const utvm_global_pool2d_params *p, const float *input, float *output)
{
    const float divisor = (float)p->size;
    for (int32_t n = 0; n < p->batch; n++) {
        for (int32_t c = 0; c < p->channels; c++) output[c] = 0.0f;
        for (int32_t i = 0; i < p->size; i++) {
            for (int32_t c = 0; c < p->channels; c++) output[c] += input[c];
            input += p->channels;
        }
        for (int32_t c = 0; c < p->channels; c++) output[c] /= divisor;
        output += p->channels;
    }
}
