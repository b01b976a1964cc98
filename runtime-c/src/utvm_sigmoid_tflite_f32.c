/* TFLite's float LOGISTIC: 1 above 16.619047, exp(in) below -9, else 1 / (1 + exp(-in)) (see utvm/unary.h). */
#include "utvm/unary.h"

#include <math.h>

void utvm_sigmoid_tflite_f32(const float *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const float x = in[i];
        out[i] = x > 16.619047164916992188f ? 1.0f : x < -9.0f ? expf(x) : 1.0f / (1.0f + expf(-x));
    }
}
