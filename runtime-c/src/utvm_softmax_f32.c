/* Softmax along one axis of an [outer, n, inner] view (see utvm/softmax.h). */
#include "utvm/softmax.h"

#include <math.h>

void utvm_softmax_f32(const utvm_softmax_params_f32 *p, const float *in, float *out)
{
    const int32_t n = p->n;
    const int32_t inner = p->inner;
    for (int32_t o = 0; o < p->outer; o++) {
        for (int32_t i = 0; i < inner; i++) {
            const int32_t base = o * n * inner + i;
            float max = in[base];
            for (int32_t j = 1; j < n; j++) {
                const float v = in[base + j * inner];
                max = v > max ? v : max;
            }
            float sum = 0.0f;
            for (int32_t j = 0; j < n; j++) {
                const float e = expf((in[base + j * inner] - max) * p->beta);
                out[base + j * inner] = e;
                sum += e;
            }
            const float scale = 1.0f / sum;
            for (int32_t j = 0; j < n; j++) {
                out[base + j * inner] *= scale;
            }
        }
    }
}
