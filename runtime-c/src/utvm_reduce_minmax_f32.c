/* float32 max / min over the reduced dims (see utvm/reduce.h). */
#include <float.h>
#include "utvm/reduce.h"

/* The max (is_max) or min of input[base + offsets of the reduced dims], from -FLT_MAX / FLT_MAX. */
static float reduce_one(const utvm_reduce_minmax_params *p, const float *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    float acc = p->is_max ? -FLT_MAX : FLT_MAX;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const float *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        if (p->is_max) {
            for (int32_t i5 = 0; i5 < n[5]; i5++) {
                const float v = row[i5 * s[5]];
                acc = v > acc ? v : acc;
            }
        } else {
            for (int32_t i5 = 0; i5 < n[5]; i5++) {
                const float v = row[i5 * s[5]];
                acc = v < acc ? v : acc;
            }
        }
    }
    return acc;
}

void utvm_reduce_minmax_f32(const utvm_reduce_minmax_params *p, const float *input, float *output)
{
    const int32_t *n = p->kept_shape;
    const int32_t *s = p->kept_strides;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const float *base = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) *output++ = reduce_one(p, base + i5 * s[5]);
    }
}
