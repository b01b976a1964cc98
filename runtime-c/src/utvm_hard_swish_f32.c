/* out = in * max(0, min(1, in / 6 + 0.5)) (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_hard_swish_f32(const float *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const float x = in[i];
        float g = x / 6.0f + 0.5f;
        g = g > 1.0f ? 1.0f : g;
        g = g < 0.0f ? 0.0f : g;
        out[i] = x * g;
    }
}
