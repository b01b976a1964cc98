/*
 * Conversions between float32 and int8, and between two int8 quantizations (TensorFlow Lite's QUANTIZE
 * and DEQUANTIZE reference kernels). Real values are r = scale * (q - zero_point).
 *
 *   utvm_quantize_f32_s8    q = clamp(roundf(x / scale) + zero_point, -128, 127): float division and
 *                           rounding half away from zero, as TFLite's AffineQuantize;
 *   utvm_dequantize_s8_f32  x = scale * (q - zero_point), rounded once to float;
 *   utvm_requantize_s8      int8 -> int8 with another scale / zero point (TFLite's Requantize: the
 *                           fixed-point multiplier of input_scale / output_scale); it also writes
 *                           strided rows, so Concat of inputs with different quantizations runs as one
 *                           call per input.
 */
#ifndef UTVM_QUANTIZE_H
#define UTVM_QUANTIZE_H

#include "utvm/quant.h"
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Scale of the quantized tensor. Range: > 0, finite. */
    float scale;
    /* Zero point of the quantized tensor. Range: [-128, 127]. */
    int32_t zero_point;
} utvm_quantize_params;

/*
 * in:  float32, count elements. NaN gives -128; values beyond the int8 range saturate.
 * out: int8, count elements; must not overlap the input. count >= 0.
 */
void utvm_quantize_f32_s8(const utvm_quantize_params *p, const float *in, int8_t *out, int32_t count);

/*
 * in:  int8, count elements.
 * out: float32, count elements; must not overlap the input. count >= 0.
 */
void utvm_dequantize_s8_f32(const utvm_quantize_params *p, const int8_t *in, float *out, int32_t count);

typedef struct {
    /* Number of rows. Range: >= 1. */
    int32_t rows;
    /* Elements per row (contiguous in the input and in each output row). Range: >= 0. */
    int32_t row_size;
    /* Elements between the starts of consecutive output rows. Range: >= row_size. */
    int32_t out_row_stride;
    /* Minus the input zero point. Range: [-127, 128]. */
    int32_t input_offset;
    /* Fixed-point multiplier of input_scale / output_scale. Range: [2^30, 2^31), or 0. */
    int32_t multiplier;
    /* Its power-of-two exponent (positive = left shift). Range: [-31, 30]. */
    int32_t shift;
    /* Zero point of the output. Range: [-128, 127]. */
    int32_t output_offset;
} utvm_requantize_params_s8;

/*
 * out[r * out_row_stride + i] = clamp(requantize(in[r * row_size + i] + input_offset, multiplier, shift)
 *                                     + output_offset, -128, 127)
 * in:  int8, rows * row_size elements, contiguous.
 * out: int8, already offset to this input's first element in the destination. With out_row_stride ==
 *      row_size it may be the same buffer as the input (in place); otherwise it must not overlap it.
 */
void utvm_requantize_s8(const utvm_requantize_params_s8 *p, const int8_t *in, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_QUANTIZE_H */
