/* out = min(max(in, min), max) (see utvm/unary.h). */
#include "utvm/unary.h"

void utvm_clip_f32(const utvm_clamp_f32 *p, const float *in, float *out, int32_t count)
{
    const float lo = p->min;
    const float hi = p->max;
    for (int32_t i = 0; i < count; i++) {
        float v = in[i];
        v = v < lo ? lo : v;
        out[i] = v > hi ? hi : v;
    }
}
