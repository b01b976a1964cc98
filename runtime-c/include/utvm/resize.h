/*
 * Resizing NHWC images: TFLite's RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (as its reference kernels)
 * and ONNX's Resize / Upsample (nearest, linear, cubic). The source rows, columns and weights depend on
 * the output position only: the compiler computes them (TFLite's arithmetic with align_corners and
 * half_pixel_centers, or ONNX's coordinate modes) into constant tables, so the kernels only gather and
 * blend.
 */
#ifndef UTVM_RESIZE_H
#define UTVM_RESIZE_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Input [batch, in_h, in_w, channels], output [batch, out_h, out_w, channels]; each >= 1. */
    int32_t batch;
    int32_t in_h;
    int32_t in_w;
    int32_t out_h;
    int32_t out_w;
    int32_t channels;
    /* Bytes of one element: 1 (int8) or 4 (float32). */
    int32_t element_bytes;
} utvm_resize_params;

/*
 * Nearest neighbour: output pixel (y, x) = input pixel (src[y], src[out_h + x]).
 * src: out_h + out_w int32 indices, rows in [0, in_h), columns in [0, in_w). Any element type (a copy).
 */
void utvm_resize_nearest(const utvm_resize_params *p, const int32_t *src, const void *input, void *output);

/*
 * Bilinear, TFLite's integer form: taps holds per output row (y0, y1, dy) then per output column
 * (x0, x1, dx), dy, dx in 1/1024 units, range [-512, 1024). Each output is
 *   (v00 (1024 - dy)(1024 - dx) + v10 dy (1024 - dx) + v01 (1024 - dy) dx + v11 dy dx) / 2^20
 * rounded half away from zero (|sum| < 2^30: it fits int32).
 */
void utvm_resize_bilinear_s8(const utvm_resize_params *p, const int32_t *taps, const int8_t *input, int8_t *output);

typedef struct {
    /* Input [batch, in_h, in_w, channels], output [batch, out_h, out_w, channels]; each >= 1. */
    int32_t batch;
    int32_t in_h;
    int32_t in_w;
    int32_t out_h;
    int32_t out_w;
    int32_t channels;
    /* Taps per output row (1 nearest, 2 linear, 4 cubic) and per output column. */
    int32_t taps_h;
    int32_t taps_w;
    /* The value of an output whose row or column lies outside the image (ONNX tf_crop_and_resize). */
    float extrapolation;
} utvm_resize_taps_params;

/*
 * Separable resize, float32 (TFLite's bilinear; ONNX nearest with extrapolation, linear and cubic):
 * taps holds taps_h source rows per output row, then taps_w source columns per output column (a first
 * tap of -1 marks a row or column outside the image: the output is `extrapolation`); weights holds
 * their float32 weights in the same order. Each output is
 *   sum over column taps j (outer) and row taps i (inner) of v[row_i][col_j] * wy_i * wx_j,
 * accumulated from +0.0f in that order (for two taps: TFLite's four-term sum, bit for bit).
 */
void utvm_resize_taps_f32(const utvm_resize_taps_params *p, const int32_t *taps, const float *weights, const float *input, float *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_RESIZE_H */
