/*
 * Batched matrix product with the right-hand side stored transposed (TensorFlow Lite's BATCH_MATMUL, as
 * TensorFlow Lite Micro computes it after its own transposes): for each output batch, a contiguous [M, K]
 * matrix of A (the LHS) and a contiguous [N, K] matrix of B (the RHS, one row per output column) give a
 * contiguous [M, N] matrix of the output:
 *
 *   y[batch][i][j] = sum_kk a[batch][i][kk] * b[batch][j][kk]
 *
 * Batches are visited in row-major order of the output's batch shape; each operand's matrix offset
 * follows its broadcast strides (utvm_broadcast_params, utvm/binary.h; multiples of M*K and N*K, 0 along
 * broadcast dims). The compiler (src/ops/batch-matmul.ts) transposes whatever operand TFLite's adj_x /
 * adj_y leave in the other layout: at compile time for constants, with utvm_copy_nd at run time
 * otherwise. Outputs must not overlap any input.
 *
 *   utvm_batch_matmul_f32     float32: the sum runs over kk in increasing order from 0.0f, TFLite's order.
 *   utvm_batch_matmul_s8      int8: TFLite's reference BatchMatMul on int8,
 *                             acc = sum_kk (a + lhs_offset) * (b + rhs_offset)   (int32, wrapping)
 *                             y = clamp(requantize(acc, multiplier, shift) + output_offset, act_min, act_max).
 *   utvm_batch_matmul_s8_dsp  the same bits for cores with the DSP extension: four B rows at a time are
 *                             widened to offset int16 pairs, interleaved, in the scratch buffer and run
 *                             against every A row, each A word offset and sign-extended once (SXTAB16)
 *                             for eight SMLADs (utvm/dsp.h).
 */
#ifndef UTVM_BATCH_MATMUL_H
#define UTVM_BATCH_MATMUL_H

#include "utvm/types.h"
#include "utvm/binary.h"
#include "utvm/matmul.h"
#include "utvm/quant.h"
#include "utvm/simd_s8.h"     /* the DSP kernel's instructions (portable twins elsewhere) */
#include "utvm/dsp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Rows of each A matrix and output matrix (M). Range: >= 1. */
    int32_t m;
    /* Columns of A and of B (K, the accumulation depth). Range: >= 1. */
    int32_t k;
    /* Rows of each B matrix, columns of each output matrix (N). Range: >= 1. */
    int32_t n;
    /* Minus the zero points of A and B. Range: [-127, 128]. */
    int32_t lhs_offset;
    int32_t rhs_offset;
    /* Output zero point. Range: [-128, 127]. */
    int32_t output_offset;
    /* Requantization of the accumulator. multiplier: [2^30, 2^31) or 0; shift: [-31, 30]. */
    int32_t multiplier;
    int32_t shift;
    /* Output range. -128 <= act_min <= act_max <= 127. */
    int32_t act_min;
    int32_t act_max;
    /* Output batch shape and the matrix offsets of A and B along it (see above). */
    utvm_broadcast_params batch;
} utvm_batch_matmul_params_s8;

/*
 * p: m, k, n and batch as for utvm_matmul_f32 (utvm/matmul.h), b_strides in multiples of N*K.
 * a: float32 [.., M, K]; b: float32 [.., N, K]; y: float32 [batches, M, N], all row-major.
 */
void utvm_batch_matmul_f32(const utvm_matmul_params_f32 *p, const float *a, const float *b, float *y);

/* a: int8 [.., M, K]; b: int8 [.., N, K]; y: int8 [batches, M, N], all row-major (any alignment). */
void utvm_batch_matmul_s8(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *y);

/* Scratch of utvm_batch_matmul_s8_dsp: four B rows as offset int16 pairs, [4][K4] with K4 = k rounded up
   to 4, two bytes each. */
static inline int32_t utvm_batch_matmul_s8_dsp_scratch_bytes(int32_t k)
{
    return 4 * ((k + 3) / 4) * 4 * 2;
}

/* As utvm_batch_matmul_s8 when |acc| <= k * 255^2 meets utvm/dsp_requant.h's precondition; scratch: utvm_batch_matmul_s8_dsp_scratch_bytes(k) bytes, 4-byte aligned, not
   shared with anything live. */
void utvm_batch_matmul_s8_dsp(const utvm_batch_matmul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *y, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_BATCH_MATMUL_H */
