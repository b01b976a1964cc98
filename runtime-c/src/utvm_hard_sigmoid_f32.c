/* out = max(0, min(1, alpha * in + beta)) (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_hard_sigmoid_f32(const utvm_hard_sigmoid_params_f32 *p, const float *in, float *out, int32_t count)
{
    const float alpha = p->alpha;
    const float beta = p->beta;
    for (int32_t i = 0; i < count; i++) {
        float v = alpha * in[i] + beta;
        v = v > 1.0f ? 1.0f : v;
        out[i] = v < 0.0f ? 0.0f : v;
    }
}
