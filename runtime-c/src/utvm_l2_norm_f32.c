/* L2 normalization over the last dim, float32 (see utvm/l2_norm.h). */
#include <math.h>
#include "utvm/l2_norm.h"

void utvm_l2_norm_f32(const utvm_l2_norm_params *p, const float *input, float *output)
{
    for (int32_t i = 0; i < p->outer; i++) {
        const float *x = input + (size_t)i * (size_t)p->depth;
        float *y = output + (size_t)i * (size_t)p->depth;
        float squares = 0.0f;
        for (int32_t c = 0; c < p->depth; c++) squares += x[c] * x[c];
        float norm = sqrtf(squares);
        norm = norm < 1e-6f ? 1e-6f : norm;
        for (int32_t c = 0; c < p->depth; c++) y[c] = x[c] / norm;
    }
}
