/*
 * int8 kernels with onnxruntime's requantization (compile option rounding = 'onnx').
 *
 * The default int8 kernels requantize as TensorFlow Lite and CMSIS-NN do: a fixed-point multiplier and
 * two roundings half away from zero (utvm/quant.h). ONNX specifies requantization in float with
 * round-half-to-even, and onnxruntime's MLAS computes it so:
 *
 *   conv / dense:  out = zp + rne(clamp((float)acc * scale[c], act_min - zp, act_max - zp)),
 *                  scale[c] = (float)((float)(x_scale * w_scale[c]) / y_scale), computed at compile time;
 *   mean:          the same with scale = x_scale / (float)(y_scale * count) over acc = sum - zp_x * count;
 *   add:           out = sat(rne(fmaf(a, ratio_a, fmaf(b, ratio_b, fixed))) + output_offset), on the values
 *                  as stored (uint8 tensors are read as uint8: the int8 value + 128), ratio = scale / y_scale
 *                  and fixed = zp_y - (ratio_a * zp_a + ratio_b * zp_b) in float32 — MLAS's AVX2 kernel.
 *
 * rne() is round half to even, done with the 1.5 * 2^23 trick: exact in float32 for |v| < 2^22, which
 * every clamped value is. The kernels are C99 with float32 arithmetic only (no double): on the host
 * (SSE, FLT_EVAL_METHOD 0) and on the Cortex-M7 (FPv5 single precision) they give the same bits. They
 * must be built without floating-point contraction (-std=c99 gives -ffp-contract=off with GCC); the
 * fused multiply-adds of the add kernel are explicit fmaf calls (VFMA.F32 on the M7, exact in glibc).
 */
#ifndef UTVM_ONNX_S8_H
#define UTVM_ONNX_S8_H

#include "utvm/conv2d_s8.h"
#include "utvm/fully_connected_s8.h"
#include "utvm/reduce.h"
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* v rounded to the nearest integer, ties to even. |v| < 2^22. */
static inline int32_t utvm_round_half_even_f32(float v)
{
    const float magic = 12582912.0f; /* 1.5 * 2^23: v + magic has no fraction bits left */
    const float r = (v + magic) - magic;
    return (int32_t)r;
}

/* onnxruntime's MlasRequantizeOutput for one value: acc * scale in float, clamped to the output range
   (relative to the zero point), rounded half to even, plus the zero point. */
static inline int8_t utvm_requant_onnx_s8(int32_t acc, float scale, const utvm_requant_params_s8 *q)
{
    const float lo = (float)(q->act_min - q->output_offset);
    const float hi = (float)(q->act_max - q->output_offset);
    float v = (float)acc * scale;
    v = v < lo ? lo : (v > hi ? hi : v);
    return (int8_t)(utvm_round_half_even_f32(v) + q->output_offset);
}

/*
 * Grouped 2-D convolution (any groups: depthwise included), NHWC input, OHWI weights, as
 * utvm_conv2d_s8 (utvm/conv2d_s8.h) except the output stage. p->requant.multiplier / shift are unused.
 * scales: float32 [out_c], scale[c] = x_scale * w_scale[c] / y_scale as onnxruntime computes it (> 0).
 */
void utvm_conv2d_s8_onnx(const utvm_conv2d_params_s8 *p, const int8_t *input, const int8_t *weights,
                         const int32_t *bias, const float *scales, int8_t *output);

/*
 * Dense layer, as utvm_fully_connected_s8 (utvm/fully_connected_s8.h: bias with the input offset folded
 * in, or NULL) except the output stage. p->multiplier / shift are unused.
 * scales: float32 [out_features] (one per output feature, repeated when per tensor), > 0.
 */
void utvm_fully_connected_s8_onnx(const utvm_fully_connected_params_s8 *p, const int8_t *input,
                                  const int8_t *weights, const int32_t *bias, const float *scales,
                                  int8_t *output);

typedef struct {
    /* Dims, strides, sum_offset and output_zero_point as for utvm_reduce_mean_s8; multiplier / shift unused. */
    utvm_reduce_params_s8 reduce;
    /* x_scale / (y_scale * count), in float32 as onnxruntime computes it. Range: (0, 256). */
    float scale;
} utvm_reduce_mean_params_s8_onnx;

/* output[k] = rne(clamp((sum + sum_offset) * scale)) + output_zero_point (onnxruntime's
   QLinearGlobalAveragePool). input and output int8 as laid out by p->reduce. */
void utvm_reduce_mean_s8_onnx(const utvm_reduce_mean_params_s8_onnx *p, const int8_t *input, int8_t *output);

typedef struct {
    /* Added to an int8 input value to give the value onnxruntime reads: 128 for a uint8 tensor, else 0. */
    int32_t input1_offset;
    int32_t input2_offset;
    /* input_scale / output_scale of each input, and output_zp - (ratio1 * zp1 + ratio2 * zp2), in float32,
       the zero points those of the stored (uint8 or int8) values. */
    float ratio1;
    float ratio2;
    float fixed;
    /* Added to the rounded value to give the int8 output: -128 for a uint8 output, else 0. */
    int32_t output_offset;
    /* Output range in the int8 domain. -128 <= act_min <= act_max <= 127. */
    int32_t act_min;
    int32_t act_max;
} utvm_add_params_s8_onnx;

/* Element-wise add of two int8 tensors of `count` elements (same shape), onnxruntime's QLinearAdd. */
void utvm_add_s8_onnx(const utvm_add_params_s8_onnx *p, const int8_t *input1, const int8_t *input2,
                      int8_t *output, int32_t count);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_ONNX_S8_H */
