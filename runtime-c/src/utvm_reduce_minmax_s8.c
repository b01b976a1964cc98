/* int8 max / min over the reduced dims (see utvm/reduce.h). */
#include <stdint.h>
#include "utvm/reduce.h"

/* The max (is_max) or min of input[base + offsets of the reduced dims], from INT8_MIN / INT8_MAX. */
static int8_t reduce_one(const utvm_reduce_minmax_params *p, const int8_t *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    int8_t acc = p->is_max ? INT8_MIN : INT8_MAX;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        if (p->is_max) {
            for (int32_t i5 = 0; i5 < n[5]; i5++) {
                const int8_t v = row[i5 * s[5]];
                acc = v > acc ? v : acc;
            }
        } else {
            for (int32_t i5 = 0; i5 < n[5]; i5++) {
                const int8_t v = row[i5 * s[5]];
                acc = v < acc ? v : acc;
            }
        }
    }
    return acc;
}

void utvm_reduce_minmax_s8(const utvm_reduce_minmax_params *p, const int8_t *input, int8_t *output)
{
    const int32_t *n = p->kept_shape;
    const int32_t *s = p->kept_strides;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *base = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) *output++ = reduce_one(p, base + i5 * s[5]);
    }
}
