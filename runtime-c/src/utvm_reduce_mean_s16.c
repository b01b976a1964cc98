/* int16 (16x8) mean over the reduced dims: int32 sum, then TFLite's requantization (see utvm/reduce.h). */
#include "utvm/reduce.h"

/* Sum of input[base + offsets of the reduced dims], in int32. */
static int32_t reduce_sum_s16(const utvm_reduce_params_s8 *p, const int16_t *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    int32_t sum = 0;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int16_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) {
            sum += row[i5 * s[5]];
        }
    }
    return sum;
}

void utvm_reduce_mean_s16(const utvm_reduce_params_s8 *p, const int16_t *input, int16_t *output)
{
    const int32_t *n = p->kept_shape;
    const int32_t *s = p->kept_strides;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int16_t *base = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) {
            const int32_t sum = reduce_sum_s16(p, base + i5 * s[5]) + p->sum_offset;
            const int32_t v = utvm_requantize(sum, p->multiplier, p->shift) + p->output_zero_point;
            *output++ = (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
        }
    }
}
