/*
 * Matrix products with a fused clamp, float32.
 *
 *   utvm_fully_connected_f32  dense layer: constant weights stored [out_features, in_features]
 *                             (one row per output neuron, contiguous inputs — CMSIS-NN's layout) and
 *                             an optional per-output bias; alpha/beta are folded in by the compiler.
 *   utvm_gemm_f32             general Y = alpha * op(A) * op(B) + beta * C with transposes and C's
 *                             broadcast expressed as element strides.
 * Outputs must not overlap any input.
 */
#ifndef UTVM_GEMM_H
#define UTVM_GEMM_H

#include <math.h> /* INFINITY: the "no clamp" bound in generated parameter structs */

#include "utvm/types.h"

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
    /* Clamp of each output (fused activation); [-INFINITY, INFINITY] for none. */
    utvm_clamp_f32 clamp;
} utvm_fully_connected_params_f32;

/*
 * output[m][n] = clamp(bias[n] + sum_k input[m][k] * weights[n][k]).
 * input:   float32 [batches, in_features], row-major.
 * weights: float32 [out_features, in_features], row-major.
 * bias:    float32 [out_features], or NULL for no bias.
 * output:  float32 [batches, out_features], row-major.
 */
void utvm_fully_connected_f32(const utvm_fully_connected_params_f32 *p, const float *input, const float *weights,
                              const float *bias, float *output);

typedef struct {
    /* Output rows (M), columns (N), and the reduced dimension (K). Each >= 1. */
    int32_t m;
    int32_t n;
    int32_t k;
    /* op(A)[i][kk] = a[i * a_stride_m + kk * a_stride_k]: (K, 1) for A [M, K], (1, M) for transA. */
    int32_t a_stride_m;
    int32_t a_stride_k;
    /* op(B)[kk][j] = b[kk * b_stride_k + j * b_stride_n]: (N, 1) for B [K, N], (1, K) for transB. */
    int32_t b_stride_k;
    int32_t b_stride_n;
    /* C term for output (i, j) = c[i * c_stride_m + j * c_stride_n]; 0 along broadcast dims. >= 0. */
    int32_t c_stride_m;
    int32_t c_stride_n;
    /* Scale of the product. Any finite float. */
    float alpha;
    /* Scale of C. Any finite float; unused when c is NULL. */
    float beta;
    /* Clamp of each output (fused activation); [-INFINITY, INFINITY] for none. */
    utvm_clamp_f32 clamp;
} utvm_gemm_params_f32;

/*
 * y[i][j] = clamp(alpha * sum_kk op(A)[i][kk] * op(B)[kk][j] + beta * C(i, j)).
 * a: float32, [M, K] or [K, M] (see strides). b: float32, [K, N] or [N, K].
 * c: float32, broadcast to [M, N] by its strides, or NULL for no C term.
 * y: float32 [M, N], row-major.
 */
void utvm_gemm_f32(const utvm_gemm_params_f32 *p, const float *a, const float *b, const float *c, float *y);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_GEMM_H */
