/*
 * What the depthwise and ADD fast kernels need beyond utvm/dsp.h (the shared DSP instructions and their
 * portable twins): the halfword multiply-accumulates SMLABB / SMLATT, which keep the two 16-bit lanes of
 * a pair in separate accumulators (depthwise channels do not add up), a lane packer, and for the
 * depthwise output stage SMMLAR (rounded high multiply with accumulate), SSAT to 8 bits and the byte-wise
 * max / min of four int8 lanes (SSUB8 + SEL). On a core with the DSP extension (__ARM_FEATURE_DSP) each
 * is the ACLE intrinsic or inline assembly, one or two instructions; elsewhere plain C with the same
 * bits, so the host tests run the fast kernels' own code.
 */
#ifndef UTVM_SIMD_S8_H
#define UTVM_SIMD_S8_H

#include "utvm/dsp.h"

/* Two int16 values packed as one pair: lane 0 (bits 15:0) lo, lane 1 (bits 31:16) hi. */
static inline int32_t utvm_dsp_pack16(int32_t lo, int32_t hi)
{
    return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

#if defined(__ARM_FEATURE_DSP)

/* SMLABB: acc + a.lane0 * b.lane0. SMLATT: acc + a.lane1 * b.lane1 (16 x 16 -> 32, wrapping). */
static inline int32_t utvm_dsp_smlabb(int32_t a, int32_t b, int32_t acc) { return __smlabb(a, b, acc); }
static inline int32_t utvm_dsp_smlatt(int32_t a, int32_t b, int32_t acc) { return __smlatt(a, b, acc); }

/* SMMLAR: acc + ((a * b + 2^31) >> 32), the 64-bit product's rounded high word (wrapping add). */
static inline int32_t utvm_dsp_smmlar(int32_t a, int32_t b, int32_t acc)
{
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}

/* SSAT #8: x clamped to [-128, 127]. */
static inline int32_t utvm_dsp_ssat8(int32_t x) { return __ssat(x, 8); }

/* Byte-wise signed max (SSUB8 sets GE where a >= b, SEL picks a there) and min of four int8 lanes. */
static inline int32_t utvm_dsp_max_s8x4(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
    return r;
}

/* Four values in [-128, 127] as the bytes of one word, v0 in byte 0: PKHBT (lanes v0, v2 and v1, v3),
   UXTB16 of each, ORR with a shift by 8. */
static inline int32_t utvm_dsp_pack_s8x4(int32_t v0, int32_t v1, int32_t v2, int32_t v3)
{
    uint32_t p02, p13;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(p02) : "r"(v0), "r"(v2));
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(p13) : "r"(v1), "r"(v3));
    return (int32_t)(__uxtb16(p02) | (__uxtb16(p13) << 8));
}

/* The two words at p + k and p + k + 1 (k a constant, p word-aligned): one LDRD. */
#define UTVM_DSP_READ_PAIR(p, k, a, b) \
    __asm__("ldrd %0, %1, [%2, %3]" : "=r"(a), "=r"(b) : "r"(p), "i"(4 * (k)), "m"(*(const int32_t(*)[2])((p) + (k))))

static inline int32_t utvm_dsp_min_s8x4(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b));
    return r;
}

#else

static inline int32_t utvm_dsp_smlabb(int32_t a, int32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)((int32_t)(int16_t)(uint16_t)a * (int32_t)(int16_t)(uint16_t)b));
}

static inline int32_t utvm_dsp_smlatt(int32_t a, int32_t b, int32_t acc)
{
    const int32_t ah = (int32_t)(int16_t)(uint16_t)((uint32_t)a >> 16);
    const int32_t bh = (int32_t)(int16_t)(uint16_t)((uint32_t)b >> 16);
    return (int32_t)((uint32_t)acc + (uint32_t)(ah * bh));
}

static inline int32_t utvm_dsp_smmlar(int32_t a, int32_t b, int32_t acc)
{
    const int64_t high = ((int64_t)a * b + (1LL << 31)) >> 32;
    return (int32_t)((uint32_t)acc + (uint32_t)high);
}

static inline int32_t utvm_dsp_ssat8(int32_t x) { return x < -128 ? -128 : (x > 127 ? 127 : x); }

/* Byte k of x as int8. */
static inline int32_t utvm_dsp_lane_s8(int32_t x, int k) { return (int32_t)(int8_t)(uint8_t)((uint32_t)x >> (8 * k)); }

#define UTVM_DSP_READ_PAIR(p, k, a, b) ((a) = (p)[(k)], (b) = (p)[(k) + 1])

static inline int32_t utvm_dsp_pack_s8x4(int32_t v0, int32_t v1, int32_t v2, int32_t v3)
{
    return (int32_t)(((uint32_t)v0 & 0xFFu) | (((uint32_t)v1 & 0xFFu) << 8) | (((uint32_t)v2 & 0xFFu) << 16) | ((uint32_t)v3 << 24));
}

static inline int32_t utvm_dsp_max_s8x4(int32_t a, int32_t b)
{
    uint32_t r = 0;
    for (int k = 0; k < 4; k++) {
        const int32_t x = utvm_dsp_lane_s8(a, k), y = utvm_dsp_lane_s8(b, k);
        r |= (uint32_t)(uint8_t)(x >= y ? x : y) << (8 * k);
    }
    return (int32_t)r;
}

static inline int32_t utvm_dsp_min_s8x4(int32_t a, int32_t b)
{
    uint32_t r = 0;
    for (int k = 0; k < 4; k++) {
        const int32_t x = utvm_dsp_lane_s8(a, k), y = utvm_dsp_lane_s8(b, k);
        r |= (uint32_t)(uint8_t)(x >= y ? y : x) << (8 * k);
    }
    return (int32_t)r;
}

#endif

/* utvm_requantize (utvm/quant.h) for multiplier >= 0 with a shift in TFLite's form ([-31, 30]). */
static inline int32_t utvm_requantize_fast(int32_t x, int32_t multiplier, int32_t shift)
{
    return utvm_requantize_dsp(x, multiplier, shift > 0 ? shift : 0, shift > 0 ? 0 : -shift);
}

#endif /* UTVM_SIMD_S8_H */
