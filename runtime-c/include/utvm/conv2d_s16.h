/*
 * 2-D convolution with int16 activations and int8 weights (TensorFlow Lite's 16x8 quantization), NHWC,
 * OHWI weights, any groups (depthwise: groups == in_c, weights [out_c, KH, KW, 1]), as TFLite Micro's
 * reference ConvPerChannel / DepthwiseConvPerChannel compute it for int16 input: zero points 0 (no
 * input or output offset), padding taps skipped,
 *   acc = bias[oc] + sum over the taps inside the image of weight * input
 *   out = clamp(requantize(acc, multiplier[oc], shift[oc]), act_min, act_max)
 * `wide` (an int64 bias, or none: TFLite's default bias type for 16x8): an int64 sum and TFLite's 64-bit
 * MultiplyByQuantizedMultiplier (utvm_requantize_s64); otherwise an int32 sum (int32 bias) and
 * utvm_requantize.
 */
#ifndef UTVM_CONV2D_S16_H
#define UTVM_CONV2D_S16_H

#include "utvm/conv2d_s8.h"
#include "utvm/fully_connected_s16.h"
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int32_t batch;
    int32_t in_h;
    int32_t in_w;
    int32_t in_c;
    int32_t out_h;
    int32_t out_w;
    int32_t out_c;
    int32_t kernel_h;
    int32_t kernel_w;
    int32_t stride_h;
    int32_t stride_w;
    int32_t dilation_h;
    int32_t dilation_w;
    int32_t pad_top;
    int32_t pad_left;
    /* Divides in_c and out_c. */
    int32_t groups;
    /* The shared multiplier and shift when the arrays are NULL. Shift: [-31, 7] when wide. */
    int32_t multiplier;
    int32_t shift;
    /* The fused activation's int16 range. */
    int32_t act_min;
    int32_t act_max;
    /* 1: int64 sum and requantization (bias64 or no bias); 0: int32 (bias32). */
    int32_t wide;
} utvm_conv2d_params_s16;

/*
 * input: int16 [batch, in_h, in_w, in_c]; weights: int8 [out_c, kernel_h, kernel_w, in_c / groups];
 * bias32 / bias64: [out_c] or NULL; multipliers, shifts: [out_c] or NULL (shared);
 * output: int16 [batch, out_h, out_w, out_c], not overlapping the input.
 */
void utvm_conv2d_s16(const utvm_conv2d_params_s16 *p, const int16_t *input, const int8_t *weights, const int32_t *bias32,
                     const int64_t *bias64, const int32_t *multipliers, const int32_t *shifts, int16_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_CONV2D_S16_H */
