/* Dense layer: output[m][n] = clamp(bias[n] + dot(input[m], weights[n])) (see utvm/gemm.h). */
#include "utvm/gemm.h"

void utvm_fully_connected_f32(const utvm_fully_connected_params_f32 *p, const float *input, const float *weights,
                              const float *bias, float *output)
{
    const int32_t k_count = p->in_features;
    const int32_t n_count = p->out_features;
    for (int32_t m = 0; m < p->batches; m++) {
        const float *row = input + m * k_count;
        const float *w = weights;
        for (int32_t n = 0; n < n_count; n++) {
            float acc = 0.0f;
            for (int32_t k = 0; k < k_count; k++) {
                acc += row[k] * w[k];
            }
            if (bias != NULL) {
                acc += bias[n];
            }
            output[n] = utvm_clamp_value_f32(acc, p->clamp);
            w += k_count;
        }
        output += n_count;
    }
}
