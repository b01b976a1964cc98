/* float32 -> int8 quantization (see utvm/quantize.h). */
#include "utvm/quantize.h"

#include <math.h>

void utvm_quantize_f32_s8(const utvm_quantize_params *p, const float *in, int8_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        float q = roundf(in[i] / p->scale);
        /* Bound before converting: the conversion of an out-of-range float is undefined in C. */
        q = q > 1000.0f ? 1000.0f : (q < -1000.0f ? -1000.0f : q);
        if (q != q) q = -1000.0f; /* NaN */
        const int32_t v = (int32_t)q + p->zero_point;
        out[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
}
