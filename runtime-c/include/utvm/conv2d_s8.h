/*
 * 2-D convolution kernels, int8, NHWC activations: TensorFlow Lite's integer_ops ConvPerChannel and
 * DepthwiseConvPerChannel semantics (which CMSIS-NN reproduces bit for bit).
 *
 * For every output value of channel oc:
 *   acc = bias[oc] + sum over the window taps that lie inside the input of
 *         weight * (input + input_offset)                  (input_offset = -input zero point)
 *   out = clamp(requantize(acc, multiplier[oc], shift[oc]) + output_offset, act_min, act_max)
 * with utvm_requantize (utvm/quant.h: doubling high multiply, then rounding divide by a power of two).
 * Taps in the padding contribute nothing: a padded cell counts as the input zero point. Weights have
 * zero point 0; the accumulator is int32.
 *
 * Three variants, chosen by the compiler with plain `if`s on the shape (src/ops/conv2d/s8.ts):
 *   utvm_conv2d_1x1_s8            1x1 kernel, no padding, groups 1 (any stride): a matrix product per
 *                                 pixel; the input offset is folded into the bias at compile time;
 *   utvm_depthwise_conv2d_s8      groups == in_c (any depth multiplier), weights [KH, KW, C_OUT];
 *   utvm_conv2d_s8                anything else: grouped, strided, dilated, padded; weights OHWI.
 *
 * Requantization is per output channel: `multipliers` and `shifts` hold one value per output channel;
 * when they are NULL, the params' scalar `multiplier` and `shift` apply to every channel (per-tensor
 * weights). Multipliers are in [2^30, 2^31) (or 0); shifts in [-31, 30], positive = left shift. All of
 * them, the offsets and the activation range are computed at compile time; the kernels only run.
 */
#ifndef UTVM_CONV2D_S8_H
#define UTVM_CONV2D_S8_H

#include "utvm/types.h"
#include "utvm/quant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Requantization and output range shared by the int8 convolution parameter structs. */
typedef struct {
    /* Output zero point, added after requantization. Range: [-128, 127]. */
    int32_t output_offset;
    /* Per-tensor multiplier and shift, used when the kernel's `multipliers` / `shifts` are NULL.
       multiplier: [2^30, 2^31) or 0; shift: [-31, 30]. */
    int32_t multiplier;
    int32_t shift;
    /* Output range (the fused activation in the int8 domain). -128 <= act_min <= act_max <= 127. */
    int32_t act_min;
    int32_t act_max;
} utvm_requant_params_s8;

/* out = clamp(requantize(acc) + output_offset) for output channel `oc`. */
static inline int8_t utvm_requant_channel_s8(int32_t acc, const utvm_requant_params_s8 *q,
                                             const int32_t *multipliers, const int32_t *shifts, int32_t oc)
{
    const int32_t m = multipliers != NULL ? multipliers[oc] : q->multiplier;
    const int32_t s = shifts != NULL ? shifts[oc] : q->shift;
    return utvm_sat_s8(utvm_requantize(acc, m, s) + q->output_offset, q->act_min, q->act_max);
}

/*
 * The window taps k in [0, kernel) whose cell start + k * dilation lies in [0, size): exactly
 * k in [*first, *end) (an empty range has *first == *end). kernel >= 1, dilation >= 1.
 */
static inline void utvm_conv_taps(int32_t start, int32_t size, int32_t kernel, int32_t dilation,
                                  int32_t *first, int32_t *end)
{
    int32_t f = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    int32_t e = start >= size ? 0 : (size - start + dilation - 1) / dilation;
    if (e > kernel) e = kernel;
    if (f > e) f = e;
    *first = f;
    *end = e;
}

/* ------------------------------------------------------------------------------------------------ */

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
    /* Padding before the first row / column, in cells. >= 0. (Bottom/right padding follows from
       out_h / out_w.) */
    int32_t pad_top;
    int32_t pad_left;
    /* Number of groups, >= 1; divides in_c and out_c. in_c / groups input channels per group. */
    int32_t groups;
    /* Minus the input zero point, added to every input value inside the image. Range: [-127, 128]. */
    int32_t input_offset;
    /* Requantization and output range. */
    utvm_requant_params_s8 requant;
} utvm_conv2d_params_s8;

/*
 * General grouped convolution.
 * input:       int8 [batch, in_h, in_w, in_c], contiguous.
 * weights:     int8 [out_c, kernel_h, kernel_w, in_c / groups] (OHWI), contiguous; zero point 0.
 * bias:        int32 [out_c] (scale input_scale * weight_scale[oc]), or NULL for none.
 * multipliers: int32 [out_c], or NULL (then requant.multiplier for every channel).
 * shifts:      int32 [out_c], or NULL (then requant.shift for every channel).
 * output:      int8 [batch, out_h, out_w, out_c], contiguous; must not overlap the input.
 */
void utvm_conv2d_s8(const utvm_conv2d_params_s8 *p, const int8_t *input, const int8_t *weights,
                    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output);

/* ------------------------------------------------------------------------------------------------ */

typedef struct {
    /* Input: [batch, in_h, in_w, in_c]. Each >= 1. */
    int32_t batch;
    int32_t in_h;
    int32_t in_w;
    int32_t in_c;
    /* Output: [batch, out_h, out_w, out_c], out_h = (in_h - 1) / stride_h + 1 (same for w). >= 1. */
    int32_t out_h;
    int32_t out_w;
    int32_t out_c;
    /* Step between output positions, in input cells. Each >= 1. */
    int32_t stride_h;
    int32_t stride_w;
    /* Requantization and output range. */
    utvm_requant_params_s8 requant;
} utvm_conv2d_1x1_params_s8;

/*
 * 1x1 convolution without padding, groups 1: out[pixel][oc] = requantized(bias[oc] + dot(in[pixel],
 * weights[oc])). The input offset is already inside `bias` (see below), so the inner loop is a plain
 * int8 dot product.
 * input:       int8 [batch, in_h, in_w, in_c], contiguous.
 * weights:     int8 [out_c, in_c] (OHWI with KH = KW = 1), contiguous; zero point 0.
 * bias:        int32 [out_c] = bias[oc] + input_offset * sum(weights[oc][*]) (folded at compile
 *              time), or NULL when that is zero for every channel.
 * multipliers: int32 [out_c], or NULL (then requant.multiplier for every channel).
 * shifts:      int32 [out_c], or NULL (then requant.shift for every channel).
 * output:      int8 [batch, out_h, out_w, out_c], contiguous; must not overlap the input.
 */
void utvm_conv2d_1x1_s8(const utvm_conv2d_1x1_params_s8 *p, const int8_t *input, const int8_t *weights,
                        const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output);

/* ------------------------------------------------------------------------------------------------ */

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
    /* Padding before the first row / column, in cells. >= 0. */
    int32_t pad_top;
    int32_t pad_left;
    /* Minus the input zero point, added to every input value inside the image. Range: [-127, 128]. */
    int32_t input_offset;
    /* Requantization and output range. */
    utvm_requant_params_s8 requant;
} utvm_depthwise_conv2d_params_s8;

/*
 * Depthwise convolution: output channel oc = ic * depth_multiplier + m reads input channel ic only.
 * input:       int8 [batch, in_h, in_w, in_c], contiguous.
 * weights:     int8 [kernel_h, kernel_w, in_c * depth_multiplier] (TensorFlow Lite's layout),
 *              contiguous; zero point 0.
 * bias:        int32 [in_c * depth_multiplier], or NULL for none.
 * multipliers: int32 [in_c * depth_multiplier], or NULL (then requant.multiplier for every channel).
 * shifts:      int32 [in_c * depth_multiplier], or NULL (then requant.shift for every channel).
 * output:      int8 [batch, out_h, out_w, in_c * depth_multiplier], contiguous; must not overlap the
 *              input.
 */
void utvm_depthwise_conv2d_s8(const utvm_depthwise_conv2d_params_s8 *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, const int32_t *multipliers,
                              const int32_t *shifts, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_CONV2D_S8_H */
