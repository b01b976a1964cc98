/* out = max(in, 0) (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_relu_f32(const float *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const float v = in[i];
        out[i] = v < 0.0f ? 0.0f : v;
    }
}
