/*
 * The Cortex-M7 (ARMv7E-M DSP) variant of the 16x8 ADD utvm_add_s16 (utvm/binary.h), same element counts:
 * bit-identical, with the three requantizations of each element in the short SMMULR form of
 * utvm/dsp_requant.h (no 64-bit arithmetic), their constants prepared once per call.
 *
 * Why the short form is exact here (src/ops/binary/s16.ts chooses this kernel only when these hold): the
 * input offsets are 0 and the input shifts <= 0, so x = in << 15 lies in [-2^30, 2^30) and x << 1 fits
 * int32 (the form needs x * 2^(left + 1) exact); each input multiplier is at most 1/2, so |a'|, |b'| <=
 * 2^29 and the sum lies in [-2^30, 2^30); with output_shift <= 0 the sum << 1 fits as well.
 */
#ifndef UTVM_ADD_S16_DSP_H
#define UTVM_ADD_S16_DSP_H

#include "utvm/binary.h"
#include "utvm/dsp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As utvm_add_s16; p->input1_offset == p->input2_offset == 0, input and output shifts <= 0. */
void utvm_add_s16_dsp(const utvm_add_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_ADD_S16_DSP_H */
