/*
 * What the depthwise and ADD fast kernels need beyond utvm/dsp.h (the shared DSP instructions and their
 * portable twins): the halfword multiply-accumulates SMLABB / SMLATT, which keep the two 16-bit lanes of
 * a pair in separate accumulators (depthwise channels do not add up), and a lane packer. On a core with
 * the DSP extension (__ARM_FEATURE_DSP) each is the ACLE intrinsic, one instruction; elsewhere plain C
 * with the same bits, so the host tests run the fast kernels' own code.
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

#endif

/* utvm_requantize (utvm/quant.h) for multiplier >= 0 with a shift in TFLite's form ([-31, 30]). */
static inline int32_t utvm_requantize_fast(int32_t x, int32_t multiplier, int32_t shift)
{
    return utvm_requantize_dsp(x, multiplier, shift > 0 ? shift : 0, shift > 0 ? 0 : -shift);
}

#endif /* UTVM_SIMD_S8_H */
