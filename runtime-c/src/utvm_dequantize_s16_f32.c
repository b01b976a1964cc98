/* int16 -> float32 dequantization (see utvm/quantize.h). */
#include "utvm/quantize.h"

void utvm_dequantize_s16_f32(const utvm_quantize_params *p, const int16_t *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        /* |q - zero_point| < 2^17: the float product is TFLite's double product rounded once to float. */
        out[i] = p->scale * (float)((int32_t)in[i] - p->zero_point);
    }
}
