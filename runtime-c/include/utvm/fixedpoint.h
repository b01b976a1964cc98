/*
 * Fixed-point transcendental functions of gemmlowp (fixedpoint.h), as TensorFlow Lite's int8 softmax
 * and logistic use them and CMSIS-NN's arm_softmax_s8 reproduces them bit for bit.
 *
 * A fixed-point value with I integer bits is an int32 raw r that means r / 2^(31 - I). Products are
 * utvm_doubling_high_mul (a Q-format multiply that rounds half away from zero), divisions by powers of
 * two utvm_rounding_divide_by_pot (utvm/quant.h). Every constant below is gemmlowp's: Taylor
 * coefficients around -1/8, exp(-2^k) for the barrel shifter, and Newton-Raphson's 48/17 and -32/17.
 * The TypeScript twin is src/ir/fixedpoint.ts.
 */
#ifndef UTVM_FIXEDPOINT_H
#define UTVM_FIXEDPOINT_H

#include "utvm/quant.h"

/* x * 2^exponent, saturating to [INT32_MIN, INT32_MAX]. exponent: [1, 30]. */
static inline int32_t utvm_fp_mul_pot_sat(int32_t x, int32_t exponent)
{
    const int32_t threshold = (int32_t)((1L << (31 - exponent)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return x * (int32_t)(1L << exponent);
}

/* (a + b) / 2 rounded half away from zero, without overflow. */
static inline int32_t utvm_fp_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* exp(a) for a in [-1/4, 0), 0 integer bits in and out. */
static inline int32_t utvm_fp_exp_on_interval_minus_quarter_to_zero(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) */
    const int32_t one_third = 715827883;
    const int32_t x = a + (1 << 28); /* a + 1/8 */
    const int32_t x2 = utvm_doubling_high_mul(x, x);
    const int32_t x3 = utvm_doubling_high_mul(x2, x);
    const int32_t x4 = utvm_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = utvm_rounding_divide_by_pot(x4, 2);
    const int32_t poly =
        utvm_rounding_divide_by_pot(utvm_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth + utvm_doubling_high_mul(exp_minus_one_eighth, x + poly);
}

/*
 * exp(a) for a <= 0 given with `integer_bits` integer bits; the result has 0 integer bits (exp(0) is
 * INT32_MAX). integer_bits: [1, 5] (softmax uses 5, logistic 4).
 */
static inline int32_t utvm_fp_exp_on_negative_values(int32_t a, int32_t integer_bits)
{
    /* exp(-2^k) for k = -2 .. 4, 0 integer bits. */
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int32_t fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t a_mod_quarter_minus_quarter = (a & (one_quarter - 1)) - one_quarter;
    const int32_t remainder = a_mod_quarter_minus_quarter - a;
    int32_t result = utvm_fp_exp_on_interval_minus_quarter_to_zero(
        utvm_fp_mul_pot_sat(a_mod_quarter_minus_quarter, integer_bits));
    for (int32_t k = -2; k <= 4 && k < integer_bits; k++) {
        if ((remainder & ((int32_t)1 << (fractional_bits + k))) != 0) {
            result = utvm_doubling_high_mul(result, multipliers[k + 2]);
        }
    }
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + a) for a in [0, 1), 0 integer bits in and out (Newton-Raphson, three steps). */
static inline int32_t utvm_fp_one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = utvm_fp_rounding_half_sum(a, INT32_MAX);
    /* x has 2 integer bits: 48/17 - 32/17 * half_denominator. */
    int32_t x = 1515870810 + utvm_doubling_high_mul(half_denominator, -1010580540);
    for (int32_t i = 0; i < 3; i++) {
        const int32_t one_minus_half_denominator_times_x = (1 << 29) - utvm_doubling_high_mul(half_denominator, x);
        x += utvm_fp_mul_pot_sat(utvm_doubling_high_mul(x, one_minus_half_denominator_times_x), 2);
    }
    return utvm_fp_mul_pot_sat(x, 1);
}

/* 1 / (1 + exp(-a)) for a with `integer_bits` integer bits; the result has 0 integer bits. */
static inline int32_t utvm_fp_logistic(int32_t a, int32_t integer_bits)
{
    if (a == 0) return 1 << 30; /* 1/2 */
    const int32_t magnitude = a > 0 ? a : -a;
    const int32_t positive = utvm_fp_one_over_one_plus_x(utvm_fp_exp_on_negative_values(-magnitude, integer_bits));
    return a > 0 ? positive : INT32_MAX - positive;
}

#endif /* UTVM_FIXEDPOINT_H */
