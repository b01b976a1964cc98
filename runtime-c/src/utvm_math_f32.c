/* Elementwise float functions of ONNX, chosen by an op code (see utvm/math.h). */
#include "utvm/math.h"

#include <math.h>

static float gelu(float x, int tanh_form)
{
    if (tanh_form) {
        const float k = 0.7978845608028654f; /* sqrt(2 / pi) */
        return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
    }
    return 0.5f * x * (1.0f + erff(x * 0.7071067811865476f));
}

static float powe(float x, float e)
{
    if (e == 2.0f) {
        return x * x;
    }
    if (e == 3.0f) {
        return x * x * x;
    }
    return powf(x, e);
}

void utvm_math_f32(const utvm_math_params_f32 *p, const float *in, float *out, int32_t count)
{
    const float alpha = p->alpha;
    const float gamma = p->gamma;
    for (int32_t i = 0; i < count; i++) {
        const float x = in[i];
        float y;
        switch (p->op) {
        case UTVM_MATH_SQRT:
            y = sqrtf(x);
            break;
        case UTVM_MATH_RECIPROCAL:
            y = 1.0f / x;
            break;
        case UTVM_MATH_ERF:
            y = erff(x);
            break;
        case UTVM_MATH_SOFTPLUS:
            y = x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
            break;
        case UTVM_MATH_ELU:
            y = x < 0.0f ? alpha * expm1f(x) : x;
            break;
        case UTVM_MATH_SELU:
            y = x > 0.0f ? gamma * x : gamma * (alpha * expf(x) - alpha);
            break;
        case UTVM_MATH_GELU:
            y = gelu(x, gamma != 0.0f);
            break;
        default:
            y = powe(x, p->exponent);
            break;
        }
        out[i] = y;
    }
}
