/*
 * Fully connected layer with int16 activations and int8 weights (TensorFlow Lite's 16x8 quantization),
 * as TFLite Micro's reference FullyConnected / FullyConnectedPerChannel compute it for int16 input:
 *   acc = bias[n] + sum_k w[n][k] * (in[m][k] + input_offset)
 *   out[m][n] = clamp(requantize(acc) + output_offset, act_min, act_max)
 * With an int64 bias (or none: TFLite's default bias type for 16x8) the sum is int64 and requantize is
 * TFLite's 64-bit MultiplyByQuantizedMultiplier (the multiplier rounded to 16 bits, one rounding shift);
 * with an int32 bias the sum is int32 and requantize is the 32-bit one (utvm_requantize).
 */
#ifndef UTVM_FULLY_CONNECTED_S16_H
#define UTVM_FULLY_CONNECTED_S16_H

#include "utvm/quant.h"
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Rows of the input and output. Range: >= 1. */
    int32_t batches;
    int32_t in_features;
    int32_t out_features;
    /* Minus the input zero point. Range: [-32767, 32768]. */
    int32_t input_offset;
    /* Zero point of the output. Range: [-32768, 32767]. */
    int32_t output_offset;
    /* The shared multiplier and shift when the multiplier arrays are NULL. Shift: [-31, 7]. */
    int32_t multiplier;
    int32_t shift;
    /* The fused activation's int16 range. */
    int32_t act_min;
    int32_t act_max;
    /* 1: int64 accumulation and requantization (bias64 or no bias); 0: int32 (bias32). */
    int32_t wide;
} utvm_fully_connected_params_s16;

/* TFLite's MultiplyByQuantizedMultiplier for an int64 x (|x| < 2^47). */
static inline int32_t utvm_requantize_s64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
    const int32_t total_shift = 15 - shift;
    const int64_t round = (int64_t)1 << (total_shift - 1);
    return (int32_t)((x * reduced + round) >> total_shift);
}

/*
 * in: int16 [batches, in_features]; weights: int8 [out_features, in_features]; bias32 / bias64:
 * [out_features] or NULL (the one `wide` says; the other NULL); multipliers, shifts: [out_features]
 * or NULL (shared); out: int16 [batches, out_features], not overlapping in.
 */
void utvm_fully_connected_s16(const utvm_fully_connected_params_s16 *p, const int16_t *in, const int8_t *weights,
                              const int32_t *bias32, const int64_t *bias64, const int32_t *multipliers,
                              const int32_t *shifts, int16_t *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_FULLY_CONNECTED_S16_H */
