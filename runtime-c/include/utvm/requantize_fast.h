/*
 * Fast paths of utvm_requantize_int (utvm/quantize.h) for the two QUANTIZE pairs between int8 and int16
 * that 16x8 models use most, bit-identical with it:
 *
 *   utvm_requantize_s16_s8_dsp  int16 -> int8 with the short requantization of utvm/dsp_requant.h
 *                               (SMMULR, no 64-bit arithmetic): chosen at compile time only when its
 *                               precondition holds for every input, |in + input_offset| <= 65536 with
 *                               65536 * 2^(max(shift, 0) + 1) < 2^31 (src/ops/quantize.ts);
 *   utvm_lut_s8_s16             int8 -> int16 through a 256-entry table the compiler fills with the very
 *                               requantization (entry in + 128), one load per element.
 */
#ifndef UTVM_REQUANTIZE_FAST_H
#define UTVM_REQUANTIZE_FAST_H

#include "utvm/quantize.h"
#include "utvm/dsp_requant.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * p: as utvm_requantize_int with in_bytes 2, out_bytes 1, out_min/out_max within [-128, 127].
 * in: int16 [p->count]; out: int8 [p->count], may be the same buffer as in (each element is read before
 * any write reaches it).
 */
void utvm_requantize_s16_s8_dsp(const utvm_requantize_params_int *p, const int16_t *in, int8_t *out);

/* out[i] = table[in[i] + 128]. table: int16 [256]; in: int8 [count]; out: int16 [count], not overlapping in. */
void utvm_lut_s8_s16(const int16_t *table, const int8_t *in, int16_t *out, int32_t count);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_REQUANTIZE_FAST_H */
