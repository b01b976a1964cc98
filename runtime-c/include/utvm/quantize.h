/*
 * Conversions between float32 and int8, and between two int8 quantizations (TensorFlow Lite's QUANTIZE
 * and DEQUANTIZE reference kernels). Real values are r = scale * (q - zero_point).
 *
 *   utvm_quantize_f32_s8    q = clamp(roundf(x / scale) + zero_point, -128, 127): float division and
 *                           rounding half away from zero, as TFLite's AffineQuantize;
 *   utvm_quantize_f32_s8_even  the same rounding half to even, as ONNX's QuantizeLinear (onnxruntime);
 *   utvm_dequantize_s8_f32  x = scale * (q - zero_point), rounded once to float;
 *   utvm_requantize_s8      int8 -> int8 with another scale / zero point (TFLite's Requantize: the
 *                           fixed-point multiplier of input_scale / output_scale); it also writes
 *                           strided rows, so Concat of inputs with different quantizations runs as one
 *                           call per input;
 *   utvm_quantize_f32_s16, utvm_dequantize_s16_f32   the same for int16;
 *   utvm_requantize_int     between any two of int8, int16 and int32 (TFLite Micro's QUANTIZE pairs
 *                           int16 -> int8/int16/int32, int8 -> int16/int32, int32 -> int8/int16): the
 *                           same Requantize arithmetic, clamped to the output type.
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

/* As utvm_quantize_f32_s8, an exact half of a step rounding to the even integer (ONNX QuantizeLinear). */
void utvm_quantize_f32_s8_even(const utvm_quantize_params *p, const float *in, int8_t *out, int32_t count);

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

/* As utvm_quantize_f32_s8, to int16: NaN gives -32768. zero_point: [-32768, 32767]. */
void utvm_quantize_f32_s16(const utvm_quantize_params *p, const float *in, int16_t *out, int32_t count);

/* As utvm_dequantize_s8_f32, from int16. zero_point: [-32768, 32767]. */
void utvm_dequantize_s16_f32(const utvm_quantize_params *p, const int16_t *in, float *out, int32_t count);

typedef struct {
    /* Elements. Range: >= 0. */
    int32_t count;
    /* Bytes per input and per output element: 1 (int8), 2 (int16) or 4 (int32). */
    int32_t in_bytes;
    int32_t out_bytes;
    /* Minus the input zero point. */
    int32_t input_offset;
    /* Fixed-point multiplier of input_scale / output_scale and its exponent, as utvm_requantize_s8. */
    int32_t multiplier;
    int32_t shift;
    /* Zero point of the output; the output type's range. */
    int32_t output_offset;
    int32_t out_min;
    int32_t out_max;
} utvm_requantize_params_int;

/*
 * out[i] = clamp(requantize(in[i] + input_offset, multiplier, shift) + output_offset, out_min, out_max)
 * in, out: count elements of the types in_bytes and out_bytes give; out may be the same buffer as in
 * when out_bytes <= in_bytes (each element is read before it is written, in increasing order).
 */
void utvm_requantize_int(const utvm_requantize_params_int *p, const void *in, void *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_QUANTIZE_H */
