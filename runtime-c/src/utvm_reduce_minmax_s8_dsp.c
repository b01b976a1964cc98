/* int8 max / min over the reduced dims, four lanes at a time (see utvm/reduce.h). */
#include <string.h>
#include "utvm/reduce_minmax_s8_dsp.h"

/* Lane-wise max or min of two words of four int8 lanes: SSUB8 + SEL. */
static inline int32_t pick4(int32_t is_max, int32_t a, int32_t b)
{
    return is_max ? utvm_dsp_max_s8x4(a, b) : utvm_dsp_min_s8x4(a, b);
}

static inline int32_t pick1(int32_t is_max, int32_t a, int32_t b)
{
    return is_max ? (b > a ? b : a) : (b < a ? b : a);
}

/* One output over all reduced dims, the innermost contiguous: lanes over the reduced elements. */
static int8_t reduce_contiguous(const utvm_reduce_minmax_params *p, const int8_t *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    const int32_t is_max = p->is_max;
    const int32_t init = is_max ? INT8_MIN : INT8_MAX;
    int32_t acc4 = (int32_t)(0x01010101u * (uint8_t)(int8_t)init);
    int32_t acc = init;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        int32_t i5 = 0;
        for (; i5 + 4 <= n[5]; i5 += 4) acc4 = pick4(is_max, acc4, utvm_dsp_read_s32(row + i5));
        for (; i5 < n[5]; i5++) acc = pick1(is_max, acc, row[i5]);
    }
    for (int k = 0; k < 4; k++) acc = pick1(is_max, acc, (int8_t)(uint8_t)((uint32_t)acc4 >> (8 * k)));
    return (int8_t)acc;
}

/* Four adjacent outputs (kept elements 1 apart in the input) at once: lanes over the outputs. */
static int32_t reduce_four(const utvm_reduce_minmax_params *p, const int8_t *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    const int32_t is_max = p->is_max;
    int32_t acc4 = is_max ? (int32_t)0x80808080u : 0x7F7F7F7F;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) acc4 = pick4(is_max, acc4, utvm_dsp_read_s32(row + i5 * s[5]));
    }
    return acc4;
}

/* One output by the scalar loop (any layout). */
static int8_t reduce_scalar(const utvm_reduce_minmax_params *p, const int8_t *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    int32_t acc = p->is_max ? INT8_MIN : INT8_MAX;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) acc = pick1(p->is_max, acc, row[i5 * s[5]]);
    }
    return (int8_t)acc;
}

void utvm_reduce_minmax_s8_dsp(const utvm_reduce_minmax_params *p, const int8_t *input, int8_t *output)
{
    const int32_t *n = p->kept_shape;
    const int32_t *s = p->kept_strides;
    const int lanes_reduced = p->reduced_strides[5] == 1;
    const int lanes_kept = !lanes_reduced && s[5] == 1;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *base = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        int32_t i5 = 0;
        if (lanes_kept) {
            for (; i5 + 4 <= n[5]; i5 += 4) {
                const int32_t w = reduce_four(p, base + i5);
                memcpy(output, &w, sizeof w);
                output += 4;
            }
        }
        for (; i5 < n[5]; i5++) {
            *output++ = lanes_reduced ? reduce_contiguous(p, base + i5 * s[5]) : reduce_scalar(p, base + i5 * s[5]);
        }
    }
}
