/* int8 -> float32 dequantization (see utvm/quantize.h). */
#include "utvm/quantize.h"

void utvm_dequantize_s8_f32(const utvm_quantize_params *p, const int8_t *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        /* The exact product, rounded once to float: what TFLite's double product cast to float gives. */
        out[i] = p->scale * (float)((int32_t)in[i] - p->zero_point);
    }
}
