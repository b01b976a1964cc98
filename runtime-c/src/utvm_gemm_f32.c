/* General matrix product y = clamp(alpha * op(A) * op(B) + beta * C) (see utvm/gemm.h). */
#include "utvm/gemm.h"

void utvm_gemm_f32(const utvm_gemm_params_f32 *p, const float *a, const float *b, const float *c, float *y)
{
    for (int32_t i = 0; i < p->m; i++) {
        const float *ar = a + i * p->a_stride_m;
        for (int32_t j = 0; j < p->n; j++) {
            const float *bc = b + j * p->b_stride_n;
            float acc = 0.0f;
            for (int32_t kk = 0; kk < p->k; kk++) {
                acc += ar[kk * p->a_stride_k] * bc[kk * p->b_stride_k];
            }
            float v = p->alpha * acc;
            if (c != NULL) {
                v += p->beta * c[i * p->c_stride_m + j * p->c_stride_n];
            }
            *y++ = utvm_clamp_value_f32(v, p->clamp);
        }
    }
}
