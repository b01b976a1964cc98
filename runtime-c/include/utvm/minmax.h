/*
 * Elementwise maximum and minimum of two tensors with numpy broadcasting (TFLite MAXIMUM / MINIMUM).
 *
 * out = a > b ? a : b (maximum), a < b ? a : b (minimum), on the stored values. For int8 the compiler
 * checks that a, b and out share one scale and zero point, so comparing the bytes compares the real
 * values and no requantization is needed.
 *
 * p:       the output shape and per-input strides (utvm_broadcast_params, utvm/binary.h); a flat case is
 *          one dim with strides 1 and 1.
 * a, b:    the inputs, read through p's strides.
 * out:     the output, contiguous, p's element count; it may be a or b when that input has the output's
 *          shape (in place), no partial overlap.
 */
#ifndef UTVM_MINMAX_H
#define UTVM_MINMAX_H

#include "utvm/binary.h"

#ifdef __cplusplus
extern "C" {
#endif

void utvm_maximum_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_minimum_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_maximum_s8(const utvm_broadcast_params *p, const int8_t *a, const int8_t *b, int8_t *out);
void utvm_minimum_s8(const utvm_broadcast_params *p, const int8_t *a, const int8_t *b, int8_t *out);
void utvm_maximum_s16(const utvm_broadcast_params *p, const int16_t *a, const int16_t *b, int16_t *out);
void utvm_minimum_s16(const utvm_broadcast_params *p, const int16_t *a, const int16_t *b, int16_t *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_MINMAX_H */
