/*
 * Fixed-point requantization shared by the int8 kernels: TensorFlow Lite's reference arithmetic
 * (gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, two roundings), which CMSIS-NN's
 * arm_nn_requantize reproduces. The TypeScript twin is src/ir/quant.ts.
 */
#ifndef UTVM_QUANT_H
#define UTVM_QUANT_H

#include "utvm/types.h"

/* (a * b * 2) >> 32 with rounding half away from zero; saturates the one overflow (INT32_MIN^2). */
static inline int32_t utvm_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? (1LL << 30) : (1 - (1LL << 30));
    return (int32_t)((ab + nudge) / (1LL << 31));
}

/* x / 2^exponent, rounding half away from zero. exponent: [0, 31]. */
static inline int32_t utvm_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)((1LL << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/*
 * x * multiplier * 2^(shift - 31), TFLite's MultiplyByQuantizedMultiplier.
 * multiplier: [2^30, 2^31) or 0. shift: [-31, 30], positive = left shift.
 */
static inline int32_t utvm_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    return utvm_rounding_divide_by_pot(utvm_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

static inline int8_t utvm_sat_s8(int32_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

#endif /* UTVM_QUANT_H */
