/* float32 -> int8 quantization rounding half to even, ONNX's QuantizeLinear (see utvm/quantize.h). */
#include "utvm/quantize.h"

#include <math.h>

void utvm_quantize_f32_s8_even(const utvm_quantize_params *p, const float *in, int8_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const float x = in[i] / p->scale;
        float q = roundf(x);
        /* roundf takes an exact half away from zero; an odd result steps back to the even neighbour.
         * q - x is exact here (|x| < 2^23 whenever it is a half). */
        if (fabsf(q - x) == 0.5f && fmodf(q, 2.0f) != 0.0f) q -= copysignf(1.0f, x);
        /* Bound before converting: the conversion of an out-of-range float is undefined in C. */
        q = q > 1000.0f ? 1000.0f : (q < -1000.0f ? -1000.0f : q);
        if (q != q) q = -1000.0f; /* NaN */
        const int32_t v = (int32_t)q + p->zero_point;
        out[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
}
