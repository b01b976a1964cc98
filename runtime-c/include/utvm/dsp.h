/*
 * The ARMv7-E-M DSP instructions the fast int8 kernels (*_dsp.c) are written with, and their portable C
 * twins: on a core with the DSP extension (__ARM_FEATURE_DSP: Cortex-M4/M7) each function is the one
 * instruction; elsewhere (the host) it is C that computes the same bits, so host tests run the same
 * kernel code as the Cortex-M7.
 *
 * A "pair" is a 32-bit word holding two int16 lanes: bits [15:0] (lane 0) and [31:16] (lane 1).
 *   utvm_dsp_sxtb16(x)          pair (sign-extended byte 0, byte 2) of x
 *   utvm_dsp_sxtb16_ror8(x)     pair (byte 1, byte 3) of x
 *   utvm_dsp_sxtab16(a, x)      a + utvm_dsp_sxtb16(x), lane by lane (16-bit wrap-around)
 *   utvm_dsp_sxtab16_ror8(a, x) a + utvm_dsp_sxtb16_ror8(x), lane by lane
 *   utvm_dsp_smlad(a, b, acc)   acc + a.lane0 * b.lane0 + a.lane1 * b.lane1 (32-bit wrap-around)
 *   utvm_dsp_smmulr(a, b)       (a * b + 2^31) >> 32: the rounded high word of the signed 64-bit product
 *   utvm_dsp_usada8(x, y, acc)  acc + the sum over the four bytes of |x.byte - y.byte| (unsigned bytes)
 *   utvm_dsp_load_pair(&p, &lo, &hi)  lo, hi = p[0], p[1] and p += 2: one LDRD with write-back
 * So for words x = [x0 x1 x2 x3] and w = [w0 w1 w2 w3] (bytes, memory order):
 *   smlad(sxtb16(x), sxtb16(w), smlad(sxtb16_ror8(x), sxtb16_ror8(w), acc)) = acc + x0w0 + x1w1 + x2w2 + x3w3.
 *
 * utvm_dsp_requantize is TFLite's MultiplyByQuantizedMultiplier (utvm_requantize in utvm/quant.h) in the
 * form CMSIS-NN's arm_nn_requantize uses: the high multiply with one nudge of 2^30 and an arithmetic
 * shift. floor((ab + 2^30) / 2^31) equals TFLite's round-half-away division for every ab: for ab < 0,
 * -floor((-ab - 1 + 2^30) / 2^31) == -ceil((-ab - 2^30) / 2^31). TFLite's one saturating case
 * (INT32_MIN * INT32_MIN) needs multiplier == INT32_MIN, which never occurs (multiplier in [2^30, 2^31)
 * or 0). Right shifts of negative values are arithmetic (as in utvm/quant.h).
 */
#ifndef UTVM_DSP_H
#define UTVM_DSP_H

#include <string.h>
#include "utvm/types.h"

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

static inline int32_t utvm_dsp_sxtb16(int32_t x) { return (int32_t)__sxtb16(x); }
static inline int32_t utvm_dsp_sxtab16(int32_t a, int32_t x) { return (int32_t)__sxtab16(a, x); }
static inline int32_t utvm_dsp_smlad(int32_t a, int32_t b, int32_t acc) { return (int32_t)__smlad(a, b, acc); }
static inline uint32_t utvm_dsp_usada8(uint32_t x, uint32_t y, uint32_t acc) { return __usada8(x, y, acc); }

static inline int32_t utvm_dsp_smmulr(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* gcc splits paired loads into two LDRs when it schedules for the Cortex-M7: this keeps one LDRD. */
static inline void utvm_dsp_load_pair(const int32_t **p, int32_t *lo, int32_t *hi)
{
    __asm__("ldrd %0, %1, [%2], #8" : "=r"(*lo), "=r"(*hi), "+r"(*p) : "m"(*(const int32_t(*)[2]) * p));
}

static inline int32_t utvm_dsp_sxtb16_ror8(int32_t x)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

static inline int32_t utvm_dsp_sxtab16_ror8(int32_t a, int32_t x)
{
    int32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}

#else /* portable twins */

/* The pair (lo, hi) of two int16 lane values. */
static inline int32_t utvm_dsp_pair16(int32_t lo, int32_t hi)
{
    return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

/* Sign-extended byte `k` of x. */
static inline int32_t utvm_dsp_byte_s8(int32_t x, int k)
{
    return (int32_t)(int8_t)(uint8_t)((uint32_t)x >> (8 * k));
}

/* Sign-extended int16 lane `k` of pair x. */
static inline int32_t utvm_dsp_lane_s16(int32_t x, int k)
{
    return (int32_t)(int16_t)(uint16_t)((uint32_t)x >> (16 * k));
}

static inline int32_t utvm_dsp_sxtb16(int32_t x) { return utvm_dsp_pair16(utvm_dsp_byte_s8(x, 0), utvm_dsp_byte_s8(x, 2)); }
static inline int32_t utvm_dsp_sxtb16_ror8(int32_t x) { return utvm_dsp_pair16(utvm_dsp_byte_s8(x, 1), utvm_dsp_byte_s8(x, 3)); }

static inline int32_t utvm_dsp_sxtab16(int32_t a, int32_t x)
{
    return utvm_dsp_pair16(utvm_dsp_lane_s16(a, 0) + utvm_dsp_byte_s8(x, 0), utvm_dsp_lane_s16(a, 1) + utvm_dsp_byte_s8(x, 2));
}

static inline int32_t utvm_dsp_sxtab16_ror8(int32_t a, int32_t x)
{
    return utvm_dsp_pair16(utvm_dsp_lane_s16(a, 0) + utvm_dsp_byte_s8(x, 1), utvm_dsp_lane_s16(a, 1) + utvm_dsp_byte_s8(x, 3));
}

static inline int32_t utvm_dsp_smlad(int32_t a, int32_t b, int32_t acc)
{
    const uint32_t p0 = (uint32_t)(utvm_dsp_lane_s16(a, 0) * utvm_dsp_lane_s16(b, 0));
    const uint32_t p1 = (uint32_t)(utvm_dsp_lane_s16(a, 1) * utvm_dsp_lane_s16(b, 1));
    return (int32_t)((uint32_t)acc + p0 + p1);
}

static inline int32_t utvm_dsp_smmulr(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * (int64_t)b + (1LL << 31)) >> 32);
}

static inline uint32_t utvm_dsp_usada8(uint32_t x, uint32_t y, uint32_t acc)
{
    for (int k = 0; k < 4; k++) {
        const int32_t d = (int32_t)((x >> (8 * k)) & 0xFFu) - (int32_t)((y >> (8 * k)) & 0xFFu);
        acc += (uint32_t)(d < 0 ? -d : d);
    }
    return acc;
}

static inline void utvm_dsp_load_pair(const int32_t **p, int32_t *lo, int32_t *hi)
{
    *lo = (*p)[0];
    *hi = (*p)[1];
    *p += 2;
}

#endif /* __ARM_FEATURE_DSP */

/* Four bytes at p (any alignment) as one word, memory order = little-endian lanes. */
static inline int32_t utvm_dsp_read_s32(const void *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* One channel's requantization constants, prepared once for many outputs (utvm_dsp_requant_of). */
typedef struct {
    int32_t multiplier;
    /* max(shift, 0) and max(-shift, 0). */
    int32_t left;
    int32_t right;
    /* 2^right - 1 and its half: the remainder and the rounding threshold of the right shift. */
    int32_t mask;
    int32_t threshold;
} utvm_dsp_requant;

/* The constants of utvm_requantize(., multiplier, shift). multiplier: [2^30, 2^31) or 0; shift: [-31, 30]. */
static inline utvm_dsp_requant utvm_dsp_requant_of(int32_t multiplier, int32_t shift)
{
    utvm_dsp_requant q;
    q.multiplier = multiplier;
    q.left = shift > 0 ? shift : 0;
    q.right = shift > 0 ? 0 : -shift;
    q.mask = (int32_t)((1LL << q.right) - 1);
    q.threshold = q.mask >> 1;
    return q;
}

/* utvm_requantize(x, multiplier, shift), bit for bit (see the top of this file). */
static inline int32_t utvm_dsp_requantize(int32_t x, const utvm_dsp_requant *q)
{
    const int64_t ab = (int64_t)(int32_t)((uint32_t)x << q->left) * (int64_t)q->multiplier;
    const int32_t high = (int32_t)((ab + (1LL << 30)) >> 31);
    const int32_t threshold = q->threshold + (int32_t)((uint32_t)high >> 31);
    return (high >> q->right) + ((high & q->mask) > threshold ? 1 : 0);
}

/* utvm_requantize(x, multiplier, shift) with left = max(shift, 0), right = max(-shift, 0) given. */
static inline int32_t utvm_requantize_dsp(int32_t x, int32_t multiplier, int32_t left, int32_t right)
{
    const utvm_dsp_requant q = {multiplier, left, right, (int32_t)((1LL << right) - 1), (int32_t)((1LL << right) - 1) >> 1};
    return utvm_dsp_requantize(x, &q);
}

#endif /* UTVM_DSP_H */
