/*
 * Fast int8 REDUCE_MAX / REDUCE_MIN for cores with the ARMv7E-M DSP extension (utvm/simd_s8.h), the twin
 * of utvm_reduce_minmax_s8 (utvm/reduce.h) with the same results bit for bit: four int8 lanes compared
 * at once by SSUB8 + SEL (on the host, their portable twins).
 */
#ifndef UTVM_REDUCE_MINMAX_S8_DSP_H
#define UTVM_REDUCE_MINMAX_S8_DSP_H

#include "utvm/reduce.h"
#include "utvm/simd_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The same bits as utvm_reduce_minmax_s8, four int8 lanes at a time (SSUB8 + SEL on a DSP core) when
 * the innermost non-padded dim with stride 1 is reduced (reduced_strides[5] == 1: lanes over the
 * reduced elements, folded at the end) or kept (kept_strides[5] == 1: four outputs at a time);
 * other layouts run the scalar loop. Requires that innermost dim to be at least 4 long for any gain.
 */
void utvm_reduce_minmax_s8_dsp(const utvm_reduce_minmax_params *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_REDUCE_MINMAX_S8_DSP_H */
