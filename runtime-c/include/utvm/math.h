/*
 * Elementwise float functions of ONNX (Sqrt, Reciprocal, Erf, Softplus, Elu, Selu, Gelu, Pow with a
 * constant exponent): one flat loop over `count` contiguous elements, the function chosen by p->op
 * (src/ops/unary/onnx-math.ts), with the C99 float functions:
 *   UTVM_MATH_SQRT        sqrtf(x)
 *   UTVM_MATH_RECIPROCAL  1.0f / x
 *   UTVM_MATH_ERF         erff(x)
 *   UTVM_MATH_SOFTPLUS    x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x))
 *   UTVM_MATH_ELU         x < 0 ? alpha * expm1f(x) : x
 *   UTVM_MATH_SELU        x > 0 ? gamma * x : gamma * (alpha * expf(x) - alpha)
 *   UTVM_MATH_GELU        gamma == 0: 0.5f * x * (1 + erff(x / sqrt(2)))
 *                         gamma != 0: 0.5f * x * (1 + tanhf(sqrt(2 / pi) * (x + 0.044715f * x^3)))
 *   UTVM_MATH_POW         exponent 2: x * x; 3: x * x * x; otherwise powf(x, exponent)
 * in, out: count elements; out may be in (in place), no partial overlap. count >= 0.
 */
#ifndef UTVM_MATH_H
#define UTVM_MATH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    UTVM_MATH_SQRT = 0,
    UTVM_MATH_RECIPROCAL = 1,
    UTVM_MATH_ERF = 2,
    UTVM_MATH_SOFTPLUS = 3,
    UTVM_MATH_ELU = 4,
    UTVM_MATH_SELU = 5,
    UTVM_MATH_GELU = 6,
    UTVM_MATH_POW = 7
};

typedef struct {
    int32_t op;     /* UTVM_MATH_* */
    float alpha;    /* elu, selu */
    float gamma;    /* selu; gelu: nonzero for the tanh approximation */
    float exponent; /* pow */
} utvm_math_params_f32;

void utvm_math_f32(const utvm_math_params_f32 *p, const float *in, float *out, int32_t count);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_MATH_H */
