/* out = 1 / sqrt(in), in float32 (see utvm/unary.h). */
#include "utvm/unary.h"

#include <math.h>

void utvm_rsqrt_f32(const float *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = 1.0f / sqrtf(in[i]);
    }
}
