/*
 * A short requantization for the DSP kernels: utvm_requantize (utvm/quant.h, TFLite's
 * MultiplyByQuantizedMultiplier) in five instructions on a Cortex-M7, bit for bit, for accumulators whose
 * magnitude the compiler has bounded (src/lower/fast-requant.ts):
 *
 *   precondition: |x| * 2^(left + 1) < 2^31, left = max(shift, 0).
 *
 * Then x' = x << (left + 1) is exact and SMMULR(x', multiplier) = floor((x' * multiplier + 2^31) / 2^32)
 * = floor((x * 2^left * multiplier + 2^30) / 2^31): the high half with the 2^30 nudge that
 * utvm_dsp_requantize (utvm/dsp.h) shows equal to TFLite's doubling high multiply. The rounding right shift
 * by e = max(-shift, 0) >= 1, round half away from zero (RoundingDivideByPOT), is
 *   (h + 2^(e-1) + (h < 0 ? -1 : 0)) >> e
 * (h >= 0: rounds up from a remainder of 2^(e-1); h < 0: from 2^(e-1) + 1, as TFLite's threshold + 1);
 * for e = 0 the sign term is masked off (sign_mask = 0) and the result is h. No sum overflows: |h| <= |x|
 * < 2^30 and 2^(e-1) <= 2^30.
 */
#ifndef UTVM_DSP_REQUANT_H
#define UTVM_DSP_REQUANT_H

#include "utvm/dsp.h"

/* One channel's constants for utvm_fast_requantize (utvm_fast_requant_of). */
typedef struct {
    int32_t multiplier;
    /* max(shift, 0) + 1, max(-shift, 0). */
    int32_t left1;
    int32_t right;
    /* 2^(right - 1) (0 when right = 0), and -1 when right > 0 else 0. */
    int32_t half;
    int32_t sign_mask;
} utvm_fast_requant;

/* multiplier: [2^30, 2^31) or 0; shift: [-31, 30]. */
static inline utvm_fast_requant utvm_fast_requant_of(int32_t multiplier, int32_t shift)
{
    utvm_fast_requant q;
    q.multiplier = multiplier;
    q.left1 = (shift > 0 ? shift : 0) + 1;
    q.right = shift > 0 ? 0 : -shift;
    q.half = q.right > 0 ? (int32_t)(1u << (q.right - 1)) : 0;
    q.sign_mask = q.right > 0 ? -1 : 0;
    return q;
}

/* utvm_requantize(x, multiplier, shift) under the precondition above. */
static inline int32_t utvm_fast_requantize(int32_t x, const utvm_fast_requant *q)
{
    const int32_t h = utvm_dsp_smmulr((int32_t)((uint32_t)x << q->left1), q->multiplier);
    return (h + q->half + ((h >> 31) & q->sign_mask)) >> q->right;
}

/* clamp(v + offset, lo, hi) as int8. */
static inline int8_t utvm_fast_clamp_s8(int32_t v, int32_t offset, int32_t lo, int32_t hi)
{
    v += offset;
    v = v < lo ? lo : v;
    return (int8_t)(v > hi ? hi : v);
}

#endif /* UTVM_DSP_REQUANT_H */
