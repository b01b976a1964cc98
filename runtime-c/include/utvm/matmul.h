/*
 * Batched matrix product with numpy broadcasting of the batch dims, float32.
 *
 * For each output batch, a contiguous [M, K] matrix of A times a contiguous [K, N] matrix of B gives a
 * contiguous [M, N] matrix of the output; batches are visited in row-major order of the output's batch
 * shape, and each operand's matrix offset follows its broadcast strides (utvm/binary.h). A 1-D A or B is
 * promoted by the compiler (M = 1 or N = 1). The output must not overlap either input.
 */
#ifndef UTVM_MATMUL_H
#define UTVM_MATMUL_H

#include "utvm/types.h"
#include "utvm/binary.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Rows of each A matrix and output matrix (M). Range: >= 1. */
    int32_t m;
    /* Columns of A, rows of B (K). Range: >= 1. */
    int32_t k;
    /* Columns of each B matrix and output matrix (N). Range: >= 1. */
    int32_t n;
    /*
     * The output's batch shape (a single batch is shape all 1s) with, as a_strides/b_strides, the
     * element offset between consecutive A/B matrices along each batch dim (multiples of M*K and K*N;
     * 0 along broadcast dims).
     */
    utvm_broadcast_params batch;
} utvm_matmul_params_f32;

/*
 * y[batch][i][j] = sum_kk a[batch][i][kk] * b[batch][kk][j].
 * a: float32 matrices [M, K], row-major, at the offsets given by p->batch.a_strides.
 * b: float32 matrices [K, N], row-major, at the offsets given by p->batch.b_strides.
 * y: float32 [batches, M, N], row-major.
 */
void utvm_matmul_f32(const utvm_matmul_params_f32 *p, const float *a, const float *b, float *y);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_MATMUL_H */
