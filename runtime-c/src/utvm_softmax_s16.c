/* int16 SOFTMAX (16x8), TFLite Micro's SoftmaxInt16 arithmetic (see utvm/softmax.h). */
#include "utvm/softmax.h"
#include "utvm/quant.h"

/* TFLite's LUTLookup: 512 base values, the 513th for the last slope; 7 fraction bits interpolated. */
static int16_t lut_lookup(int16_t value, const int16_t *lut)
{
    const int32_t index = 256 + (value >> 7);
    const int32_t offset = value & 0x7F;
    const int32_t slope = (int32_t)lut[index + 1] - (int32_t)lut[index];
    return (int16_t)(lut[index] + ((slope * offset + 64) >> 7));
}

static int16_t sat_s16(int32_t v)
{
    return (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
}

/* Leading zero bits of a nonzero 32-bit value. */
static int32_t leading_zeros(uint32_t v)
{
    int32_t n = 0;
    while (!(v & 0x80000000u)) {
        v <<= 1;
        n++;
    }
    return n;
}

void utvm_softmax_s16(const utvm_softmax_params_s16 *p, const int16_t *exp_lut, const int16_t *recip_lut,
                      const int16_t *in, int16_t *out)
{
    const int32_t n = p->n;
    const int32_t inner = p->inner;
    for (int32_t o = 0; o < p->outer; o++) {
        for (int32_t k = 0; k < inner; k++) {
            const size_t base = (size_t)o * (size_t)n * (size_t)inner + (size_t)k;
            const int16_t *x = in + base;
            int16_t *y = out + base;
            int16_t max = INT16_MIN;
            for (int32_t j = 0; j < n; j++) max = x[j * inner] > max ? x[j * inner] : max;
            /* exp(x - max) in Q0.15, kept in the output row; their sum in Q16.15 */
            int32_t sum = 0;
            for (int32_t j = 0; j < n; j++) {
                const int32_t scaled = utvm_requantize((int32_t)x[j * inner] - max, p->input_multiplier, p->input_shift);
                const int16_t e = lut_lookup(sat_s16(scaled + 32767), exp_lut);
                y[j * inner] = e;
                sum += e;
            }
            /* 1 / sum: the sum normalized to [1, 2) in Q1.15 (rounded), recentred for the 1 / (1 + x) table */
            const int32_t headroom_plus_one = leading_zeros((uint32_t)sum);
            const int32_t shifted = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
            const int16_t reciprocal = lut_lookup(sat_s16(shifted - ((1 << 15) + (1 << 16))), recip_lut);
            const int32_t right_shift = 31 - headroom_plus_one;
            const int64_t round = (int64_t)1 << (right_shift - 1);
            for (int32_t j = 0; j < n; j++) {
                const int32_t r = (int32_t)(((int64_t)y[j * inner] * reciprocal + round) >> right_shift);
                y[j * inner] = (int16_t)(r < 0 ? 0 : (r > 32767 ? 32767 : r));
            }
        }
    }
}
