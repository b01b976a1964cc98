/*
 * Activations: one flat loop each over `count` contiguous elements.
 *
 * in, out: count elements; out may be the same buffer as in (in place), but must not partially overlap
 * it. count: >= 0. All float32 but utvm_lut_s8 (any int8 function of one int8 value, as a table the
 * compiler computes), below.
 */
#ifndef UTVM_UNARY_H
#define UTVM_UNARY_H

#include <math.h> /* INFINITY: the "no clamp" bound in generated parameter structs */

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Slope for negative inputs. Any finite float (ONNX default 0.01). */
    float alpha;
} utvm_leaky_relu_params_f32;

typedef struct {
    /* Slope. Any finite float (ONNX default 0.2). */
    float alpha;
    /* Offset. Any finite float (ONNX default 0.5). */
    float beta;
} utvm_hard_sigmoid_params_f32;

/* out = max(in, 0). */
void utvm_relu_f32(const float *in, float *out, int32_t count);

/* out = in < 0 ? alpha * in : in. */
void utvm_leaky_relu_f32(const utvm_leaky_relu_params_f32 *p, const float *in, float *out, int32_t count);

/*
 * out = min(max(in, p->min), p->max): bounds may be -INFINITY/INFINITY for none; when min > max every
 * output is max (ONNX Clip). NaN inputs stay NaN.
 */
void utvm_clip_f32(const utvm_clamp_f32 *p, const float *in, float *out, int32_t count);

/* out = 1 / (1 + exp(-in)). */
void utvm_sigmoid_f32(const float *in, float *out, int32_t count);

/* TFLite's float LOGISTIC: in > 16.619047f ? 1 : in < -9 ? exp(in) : 1 / (1 + exp(-in)). */
void utvm_sigmoid_tflite_f32(const float *in, float *out, int32_t count);

/* out = tanh(in). */
void utvm_tanh_f32(const float *in, float *out, int32_t count);

/* out = max(0, min(1, alpha * in + beta)). */
void utvm_hard_sigmoid_f32(const utvm_hard_sigmoid_params_f32 *p, const float *in, float *out, int32_t count);

/* out = in * max(0, min(1, in / 6 + 0.5)) (ONNX HardSwish). */
void utvm_hard_swish_f32(const float *in, float *out, int32_t count);

/* out = in * min(6, max(0, in + 3)) / 6 (TFLite HARD_SWISH: the same function, rounded differently). */
void utvm_hard_swish_tflite_f32(const float *in, float *out, int32_t count);

/* out = 1.0f / sqrtf(in) (TFLite RSQRT). */
void utvm_rsqrt_f32(const float *in, float *out, int32_t count);

/* out = expf(in). */
void utvm_exp_f32(const float *in, float *out, int32_t count);

/* out = logf(in). */
void utvm_log_f32(const float *in, float *out, int32_t count);

/* out = fabsf(in). */
void utvm_abs_f32(const float *in, float *out, int32_t count);

/* out = -in. */
void utvm_neg_f32(const float *in, float *out, int32_t count);

/*
 * out[i] = table[(uint8_t)in[i]]: an int8 -> int8 function given by its 256 values, table[v & 255] = f(v)
 * for v in [-128, 127]. The compiler evaluates TFLite Micro's integer formula of the operator (RELU,
 * RELU6, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, RSQRT, ABS) for every input value (src/ops/unary/lut-s8.ts).
 * table: 256 int8 values. in, out: count int8 elements; out may be in (in place).
 */
void utvm_lut_s8(const int8_t *table, const int8_t *in, int8_t *out, int32_t count);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_UNARY_H */
