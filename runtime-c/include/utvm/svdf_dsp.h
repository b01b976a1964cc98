/*
 * The dot products of the SVDF DSP kernels (utvm_svdf_s8_dsp, utvm_svdf_s8_s16_dsp; utvm/svdf.h): SMLAD
 * on sign-extended byte pairs (int8 x int8, four values a step) and on int16 pairs (two a step), the
 * tails in plain C. Accumulation wraps modulo 2^32 like the portable kernels' int32 sums.
 */
#ifndef UTVM_SVDF_DSP_H
#define UTVM_SVDF_DSP_H

#include "utvm/dsp.h"
#include "utvm/svdf.h"

/* acc + the dot product of n int8 values at a and b (any alignment). */
static inline int32_t utvm_svdf_dot_s8(const int8_t *a, const int8_t *b, int32_t n, int32_t acc)
{
    int32_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const int32_t x = utvm_dsp_read_s32(a + j);
        const int32_t w = utvm_dsp_read_s32(b + j);
        acc = utvm_dsp_smlad(utvm_dsp_sxtb16(x), utvm_dsp_sxtb16(w), acc);
        acc = utvm_dsp_smlad(utvm_dsp_sxtb16_ror8(x), utvm_dsp_sxtb16_ror8(w), acc);
    }
    for (; j < n; j++) acc += a[j] * b[j];
    return acc;
}

/* acc + the dot product of n int16 values at a and b (any alignment). */
static inline int32_t utvm_svdf_dot_s16(const int16_t *a, const int16_t *b, int32_t n, int32_t acc)
{
    int32_t j = 0;
    for (; j + 2 <= n; j += 2) acc = utvm_dsp_smlad(utvm_dsp_read_s32(a + j), utvm_dsp_read_s32(b + j), acc);
    if (j < n) acc += a[j] * b[j];
    return acc;
}

#endif /* UTVM_SVDF_DSP_H */
