/* out = in < 0 ? alpha * in : in (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_leaky_relu_f32(const utvm_leaky_relu_params_f32 *p, const float *in, float *out, int32_t count)
{
    const float alpha = p->alpha;
    for (int32_t i = 0; i < count; i++) {
        const float v = in[i];
        out[i] = v < 0.0f ? alpha * v : v;
    }
}
