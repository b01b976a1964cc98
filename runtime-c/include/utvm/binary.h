/*
 * Elementwise arithmetic on float32: add, sub, mul, div.
 *
 * Two variants per operator, chosen by the compiler:
 *   utvm_<op>_f32           both inputs have the output's element count: one flat loop;
 *   utvm_<op>_broadcast_f32 numpy broadcasting, described by utvm_broadcast_params.
 * The output may be the same buffer as either input (in place); it must not partially overlap them.
 */
#ifndef UTVM_BINARY_H
#define UTVM_BINARY_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Iteration of a contiguous output over two broadcast inputs. The compiler drops size-1 dims, merges
 * dims that both inputs step over contiguously, and pads on the left to UTVM_MAX_RANK dims.
 */
typedef struct {
    /* Number of innermost rows: product of shape[0 .. UTVM_MAX_RANK-2]. Range: >= 1. */
    int32_t outer;
    /* Output shape, outermost first, padded on the left with 1s. Each >= 1. */
    int32_t shape[UTVM_MAX_RANK];
    /* Element stride of input a along each output dim; 0 on dims a is broadcast along (and padding). */
    int32_t a_strides[UTVM_MAX_RANK];
    /* Element stride of input b along each output dim; 0 on dims b is broadcast along (and padding). */
    int32_t b_strides[UTVM_MAX_RANK];
} utvm_broadcast_params;

/*
 * Steps the row index idx[0 .. UTVM_MAX_RANK-2] (odometer order, innermost dim excluded) to the next
 * row and updates the input offsets a_off, b_off (in elements) to that row's first element.
 * idx starts at all zeros with both offsets 0.
 */
static inline void utvm_broadcast_next_row(const utvm_broadcast_params *p, int32_t idx[UTVM_MAX_RANK], int32_t *a_off,
                                           int32_t *b_off)
{
    for (int32_t d = UTVM_MAX_RANK - 2; d >= 0; d--) {
        *a_off += p->a_strides[d];
        *b_off += p->b_strides[d];
        if (++idx[d] < p->shape[d]) {
            return;
        }
        *a_off -= p->a_strides[d] * p->shape[d];
        *b_off -= p->b_strides[d] * p->shape[d];
        idx[d] = 0;
    }
}

/*
 * out[i] = a[i] <op> b[i] for i in [0, count).
 * a, b, out: float32, count elements, contiguous. count >= 0.
 */
void utvm_add_f32(const float *a, const float *b, float *out, int32_t count);
void utvm_sub_f32(const float *a, const float *b, float *out, int32_t count);
void utvm_mul_f32(const float *a, const float *b, float *out, int32_t count);
void utvm_div_f32(const float *a, const float *b, float *out, int32_t count);

/*
 * out[o] = a[offset_a(o)] <op> b[offset_b(o)] over the output shape p->shape (row-major, contiguous),
 * where offset_x(o) = sum over dims d of index_d(o) * p->x_strides[d].
 * a, b: float32, laid out as described by their strides. out: float32, product of p->shape elements.
 */
void utvm_add_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_sub_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_mul_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_div_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_BINARY_H */
