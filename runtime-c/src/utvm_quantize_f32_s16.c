/* float32 -> int16 quantization (see utvm/quantize.h). */
#include <math.h>

#include "utvm/quantize.h"

void utvm_quantize_f32_s16(const utvm_quantize_params *p, const float *in, int16_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        float q = roundf(in[i] / p->scale);
        /* Bound before converting: the conversion of an out-of-range float is undefined in C. */
        q = q > 100000.0f ? 100000.0f : (q < -100000.0f ? -100000.0f : q);
        if (q != q) q = -100000.0f; /* NaN */
        const int32_t v = (int32_t)q + p->zero_point;
        out[i] = (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
    }
}
