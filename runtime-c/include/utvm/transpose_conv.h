/*
 * Transposed 2-D convolution, NHWC (TensorFlow Lite's TRANSPOSE_CONV), computed as a gather: each output
 * pixel (oy, ox) sums the input pixels (iy, ix) whose window covers it, with the filter tap
 * fy = oy + pad_h - iy * stride_h, fx = ox + pad_w - ix * stride_w inside [0, k_h) x [0, k_w).
 *
 *   utvm_transpose_conv_f32     acc starts at 0.0f and adds in[iy][ix][c] * w[o][fy][fx][c] in increasing
 *                               (iy, ix, c): the order in which TFLite's reference kernel scatters into
 *                               each output; then + bias[o], then the clamp.
 *   utvm_transpose_conv_s8      TFLite's reference integer kernel: acc = bias[o] + sum (in + input_offset)
 *                               * w (int32, wrapping; the weights' zero point is not used, as in TFLite),
 *                               y = clamp(requantize(acc, multipliers[o], shifts[o]) + output_offset).
 *   utvm_transpose_conv_s8_dsp  the same bits on cores with the DSP extension: four output channels per
 *                               pass, each input word sign-extended once (SXTB16) for four SMLAD pairs
 *                               against weights packed at compile time, the input offset's share added
 *                               per tap from a compile-time table (see below).
 * The output must not overlap the input. Parameters are computed at compile time
 * (src/ops/transpose-conv.ts).
 */
#ifndef UTVM_TRANSPOSE_CONV_H
#define UTVM_TRANSPOSE_CONV_H

#include "utvm/types.h"
#include "utvm/quant.h"
#include "utvm/simd_s8.h" /* the DSP kernel's instructions (portable twins elsewhere) */
#include "utvm/dsp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The geometry. Every field >= 1 except the pads (>= 0). */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    /* Leading padding of the output (TFLite's SAME / VALID rule applied to the output size). */
    int32_t pad_h, pad_w;
} utvm_transpose_conv_geometry;

typedef struct {
    utvm_transpose_conv_geometry g;
    /* Clamp of each output (fused activation); [-INFINITY, INFINITY] for none. */
    utvm_clamp_f32 clamp;
} utvm_transpose_conv_params_f32;

typedef struct {
    utvm_transpose_conv_geometry g;
    /* Minus the input zero point. Range: [-127, 128]. */
    int32_t input_offset;
    /* Output zero point. Range: [-128, 127]. */
    int32_t output_offset;
    /* Requantization shared by every channel when `multipliers` / `shifts` are NULL.
       multiplier: [2^30, 2^31) or 0; shift: [-31, 30]. */
    int32_t multiplier;
    int32_t shift;
    /* Output range (the fused activation). -128 <= act_min <= act_max <= 127. */
    int32_t act_min;
    int32_t act_max;
} utvm_transpose_conv_params_s8;

/*
 * input:   [batches, in_h, in_w, in_c]; weights: [out_c, k_h, k_w, in_c]; bias: [out_c] or NULL;
 * output:  [batches, out_h, out_w, out_c]; all row-major.
 */
void utvm_transpose_conv_f32(const utvm_transpose_conv_params_f32 *p, const float *input, const float *weights,
                             const float *bias, float *output);

/* multipliers, shifts: int32 [out_c], or NULL for p->multiplier / p->shift; bias: int32 [out_c] or NULL. */
void utvm_transpose_conv_s8(const utvm_transpose_conv_params_s8 *p, const int8_t *input, const int8_t *weights,
                            const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output);

/*
 * weights: int32 words, [ceil(out_c / 4)][k_h * k_w][C4 / 4][4] with C4 = in_c rounded up to 4: word
 *          (b, t, j, r) holds w[4b + r][t / k_w][t % k_w][4j .. 4j + 3], little-endian, zero past in_c and
 *          past out_c (src/lower/dsp-layout.ts packRowsS8 over rows of k_h * k_w * C4 bytes).
 * tap_offsets: int32 [ceil(out_c / 4)][k_h * k_w][4]: input_offset * sum_c w[4b + r][tap][c] (0 past out_c).
 * bias:    int32 [out_c rounded up to 4] (zeros past out_c), or NULL.
 * Precondition (checked by the compiler): |acc| <= |bias[o]| + 255 * sum |w[o]| meets utvm/dsp_requant.h's
 * bound for every channel's shift.
 */
void utvm_transpose_conv_s8_dsp(const utvm_transpose_conv_params_s8 *p, const int8_t *input, const int32_t *weights,
                                const int32_t *tap_offsets, const int32_t *bias, const int32_t *multipliers,
                                const int32_t *shifts, int8_t *output);

/* The input rows (or columns) [*lo, *hi) whose window covers output row o: stride s, kernel k, pad, size n. */
static inline void utvm_transpose_conv_range(int32_t o, int32_t pad, int32_t s, int32_t k, int32_t n, int32_t *lo, int32_t *hi)
{
    const int32_t t = o + pad; /* fy = t - i * s must lie in [0, k) */
    const int32_t first = t - k + 1 > 0 ? (t - k + 1 + s - 1) / s : 0;
    const int32_t last = t / s + 1;
    *lo = first;
    *hi = last < n ? last : n;
}

#ifdef __cplusplus
}
#endif

#endif /* UTVM_TRANSPOSE_CONV_H */
