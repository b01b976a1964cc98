/* out = in * min(6, max(0, in + 3)) / 6, TFLite's float HARD_SWISH (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_hard_swish_tflite_f32(const float *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const float x = in[i];
        float r = x + 3.0f;
        r = r < 0.0f ? 0.0f : r;
        r = r > 6.0f ? 6.0f : r;
        out[i] = x * r / 6.0f;
    }
}
