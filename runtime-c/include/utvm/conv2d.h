/*
 * 2-D convolution kernels, float32, NHWC activations.
 *
 * Two variants, chosen by the compiler with plain `if`s on the shape (src/ops/conv2d/index.ts):
 *   utvm_conv2d_f32            general grouped convolution, weights OHWI [C_OUT, KH, KW, C_IN / groups];
 *   utvm_depthwise_conv2d_f32  groups == C_IN (any depth multiplier), weights [KH, KW, C_OUT] so the
 *                              innermost loop runs over contiguous channels (TensorFlow Lite's layout).
 * Output channel oc of group g reads input channels [g * C_IN/groups, (g + 1) * C_IN/groups); for the
 * depthwise variant oc = ic * depth_multiplier + m. Padding cells read as 0. The fused activation
 * (`clamp`) is applied to every output; [-INFINITY, INFINITY] means none.
 * Every size, stride and pad below is computed at compile time; the kernels only run.
 */
#ifndef UTVM_CONV2D_H
#define UTVM_CONV2D_H

#include <math.h> /* INFINITY: an absent clamp is written [-INFINITY, INFINITY] in parameter structs */

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Input: [batch, in_h, in_w, in_c]. Each >= 1. */
    int32_t batch;
    int32_t in_h;
    int32_t in_w;
    int32_t in_c;
    /* Output: [batch, out_h, out_w, out_c]. Each >= 1; out_c is a multiple of groups. */
    int32_t out_h;
    int32_t out_w;
    int32_t out_c;
    /* Kernel window, in taps. Each >= 1. */
    int32_t kernel_h;
    int32_t kernel_w;
    /* Step between output positions, in input cells. Each >= 1. */
    int32_t stride_h;
    int32_t stride_w;
    /* Step between kernel taps, in input cells. Each >= 1. */
    int32_t dilation_h;
    int32_t dilation_w;
    /* Zero-padding before the first row / column, in cells. >= 0. (Bottom/right padding follows from
       out_h / out_w and needs no field.) */
    int32_t pad_top;
    int32_t pad_left;
    /* Number of groups, >= 1; divides in_c and out_c. in_c / groups input channels per group. */
    int32_t groups;
    /* Fused activation applied to each output value. */
    utvm_clamp_f32 clamp;
} utvm_conv2d_params_f32;

/*
 * General grouped convolution.
 * input:   [batch, in_h, in_w, in_c], contiguous.
 * weights: [out_c, kernel_h, kernel_w, in_c / groups] (OHWI), contiguous.
 * bias:    [out_c], or NULL for no bias.
 * output:  [batch, out_h, out_w, out_c], contiguous. Must not overlap input, weights or bias.
 */
void utvm_conv2d_f32(const utvm_conv2d_params_f32 *p, const float *input, const float *weights,
                     const float *bias, float *output);

typedef struct {
    /* Input: [batch, in_h, in_w, in_c]. Each >= 1. */
    int32_t batch;
    int32_t in_h;
    int32_t in_w;
    int32_t in_c;
    /* Output: [batch, out_h, out_w, in_c * depth_multiplier]. Each >= 1. */
    int32_t out_h;
    int32_t out_w;
    /* Output channels per input channel, >= 1. */
    int32_t depth_multiplier;
    /* Kernel window, in taps. Each >= 1. */
    int32_t kernel_h;
    int32_t kernel_w;
    /* Step between output positions, in input cells. Each >= 1. */
    int32_t stride_h;
    int32_t stride_w;
    /* Step between kernel taps, in input cells. Each >= 1. */
    int32_t dilation_h;
    int32_t dilation_w;
    /* Zero-padding before the first row / column, in cells. >= 0. */
    int32_t pad_top;
    int32_t pad_left;
    /* Fused activation applied to each output value. */
    utvm_clamp_f32 clamp;
} utvm_depthwise_conv2d_params_f32;

/*
 * Depthwise convolution: output channel ic * depth_multiplier + m reads input channel ic only.
 * input:   [batch, in_h, in_w, in_c], contiguous.
 * weights: [kernel_h, kernel_w, in_c * depth_multiplier], contiguous.
 * bias:    [in_c * depth_multiplier], or NULL for no bias.
 * output:  [batch, out_h, out_w, in_c * depth_multiplier], contiguous; used as the accumulator, so it
 *          must not overlap input, weights or bias.
 */
void utvm_depthwise_conv2d_f32(const utvm_depthwise_conv2d_params_f32 *p, const float *input,
                               const float *weights, const float *bias, float *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_CONV2D_H */
