/*
 * Fully connected layer, int8: TensorFlow Lite's integer_ops FullyConnected (per-tensor weights) and
 * FullyConnectedPerChannel semantics, which CMSIS-NN's arm_fully_connected_s8 reproduces bit for bit.
 *
 *   acc = bias[n] + sum_k weights[n][k] * (input[m][k] + input_offset)     (int32)
 *   out[m][n] = clamp(requantize(acc, multiplier, shift) + output_offset, act_min, act_max)
 *
 * The input offset (minus the input zero point) is constant over the whole row, so the compiler folds
 * it into the bias: the kernel receives bias'[n] = bias[n] + input_offset * sum_k weights[n][k] and its
 * inner loop is a plain int8 dot product (the same int32 sum, reordered: exact). Weights have zero point
 * 0. Requantization (utvm_requantize, utvm/quant.h) uses one multiplier/shift for the whole tensor, or
 * one per output feature when `multipliers` / `shifts` are given. Everything is computed at compile
 * time (src/ops/gemm/s8.ts); the kernel only runs.
 */
#ifndef UTVM_FULLY_CONNECTED_S8_H
#define UTVM_FULLY_CONNECTED_S8_H

#include "utvm/types.h"
#include "utvm/quant.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Rows of the input and output (M). Range: >= 1. */
    int32_t batches;
    /* Input features per row (K). Range: >= 1. */
    int32_t in_features;
    /* Output features per row (N). Range: >= 1. */
    int32_t out_features;
    /* Output zero point, added after requantization. Range: [-128, 127]. */
    int32_t output_offset;
    /* Per-tensor multiplier and shift, used when `multipliers` / `shifts` are NULL.
       multiplier: [2^30, 2^31) or 0; shift: [-31, 30], positive = left shift. */
    int32_t multiplier;
    int32_t shift;
    /* Output range (the fused activation in the int8 domain). -128 <= act_min <= act_max <= 127. */
    int32_t act_min;
    int32_t act_max;
} utvm_fully_connected_params_s8;

/*
 * input:       int8 [batches, in_features], row-major.
 * weights:     int8 [out_features, in_features], row-major; zero point 0.
 * bias:        int32 [out_features], the bias with the input offset folded in (see above), or NULL when
 *              that is zero for every output.
 * multipliers: int32 [out_features] per-channel multipliers, or NULL for the per-tensor p->multiplier.
 * shifts:      int32 [out_features] per-channel shifts, or NULL for the per-tensor p->shift.
 * output:      int8 [batches, out_features], row-major; must not overlap the input.
 */
void utvm_fully_connected_s8(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int8_t *weights,
                             const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                             int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_FULLY_CONNECTED_S8_H */
