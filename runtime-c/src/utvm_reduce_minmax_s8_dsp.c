/* int8 max / min over the reduced dims, four lanes at a time (see utvm/reduce.h). */
#include <string.h>
#include "utvm/reduce_minmax_s8_dsp.h"

static inline int32_t pick1(int32_t is_max, int32_t a, int32_t b)
{
    return is_max ? (b > a ? b : a) : (b < a ? b : a);
}

/*
 * acc4 folded lane-wise (SSUB8 + SEL) with `count` words read at row, row + step, ...: two accumulators
 * so that consecutive compares do not wait on each other. One function per kind keeps the choice of
 * max or min out of the loop.
 */
static int32_t max_words(int32_t acc4, const int8_t *row, int32_t count, int32_t step)
{
    int32_t other = acc4;
    int32_t i = 0;
    for (; i + 2 <= count; i += 2, row += 2 * step) {
        acc4 = utvm_dsp_max_s8x4(acc4, utvm_dsp_read_s32(row));
        other = utvm_dsp_max_s8x4(other, utvm_dsp_read_s32(row + step));
    }
    if (i < count) acc4 = utvm_dsp_max_s8x4(acc4, utvm_dsp_read_s32(row));
    return utvm_dsp_max_s8x4(acc4, other);
}

static int32_t min_words(int32_t acc4, const int8_t *row, int32_t count, int32_t step)
{
    int32_t other = acc4;
    int32_t i = 0;
    for (; i + 2 <= count; i += 2, row += 2 * step) {
        acc4 = utvm_dsp_min_s8x4(acc4, utvm_dsp_read_s32(row));
        other = utvm_dsp_min_s8x4(other, utvm_dsp_read_s32(row + step));
    }
    if (i < count) acc4 = utvm_dsp_min_s8x4(acc4, utvm_dsp_read_s32(row));
    return utvm_dsp_min_s8x4(acc4, other);
}

static inline int32_t fold_words(int32_t is_max, int32_t acc4, const int8_t *row, int32_t count, int32_t step)
{
    return is_max ? max_words(acc4, row, count, step) : min_words(acc4, row, count, step);
}

/* The four lanes of acc4 and acc folded into one value: lanes (0, 2) and (1, 3), then (0, 1). */
static inline int8_t fold_lanes(int32_t is_max, int32_t acc4, int32_t acc)
{
    const uint32_t u = (uint32_t)acc4;
    if (is_max) {
        acc4 = utvm_dsp_max_s8x4(acc4, (int32_t)((u >> 16) | (u << 16)));
        acc4 = utvm_dsp_max_s8x4(acc4, (int32_t)(((uint32_t)acc4 >> 8) | ((uint32_t)acc4 << 24)));
    } else {
        acc4 = utvm_dsp_min_s8x4(acc4, (int32_t)((u >> 16) | (u << 16)));
        acc4 = utvm_dsp_min_s8x4(acc4, (int32_t)(((uint32_t)acc4 >> 8) | ((uint32_t)acc4 << 24)));
    }
    return (int8_t)pick1(is_max, acc, (int8_t)(uint8_t)(uint32_t)acc4);
}

/* One output over all reduced dims, the innermost contiguous: lanes over the reduced elements. */
static int8_t reduce_contiguous(const utvm_reduce_minmax_params *p, const int8_t *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    const int32_t is_max = p->is_max;
    const int32_t init = is_max ? INT8_MIN : INT8_MAX;
    const int32_t words = n[5] / 4;
    int32_t acc4 = (int32_t)(0x01010101u * (uint8_t)(int8_t)init);
    int32_t acc = init;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        acc4 = fold_words(is_max, acc4, row, words, 4);
        for (int32_t i5 = 4 * words; i5 < n[5]; i5++) acc = pick1(is_max, acc, row[i5]);
    }
    return fold_lanes(is_max, acc4, acc);
}

/* One output over one contiguous run of `count` elements (a reduction over the innermost dims only). */
static int8_t reduce_run(int32_t is_max, const int8_t *row, int32_t count)
{
    const int32_t init = is_max ? INT8_MIN : INT8_MAX;
    const int32_t words = count / 4;
    const int32_t acc4 = fold_words(is_max, (int32_t)(0x01010101u * (uint8_t)(int8_t)init), row, words, 4);
    int32_t acc = init;
    for (int32_t i = 4 * words; i < count; i++) acc = pick1(is_max, acc, row[i]);
    return fold_lanes(is_max, acc4, acc);
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
        acc4 = fold_words(is_max, acc4, row, n[5], s[5]);
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
    const int32_t *r = p->reduced_shape;
    const int one_run = lanes_reduced && r[0] * r[1] * r[2] * r[3] * r[4] == 1;
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
            const int8_t *x = base + i5 * s[5];
            *output++ = one_run ? reduce_run(p->is_max, x, r[5]) : lanes_reduced ? reduce_contiguous(p, x) : reduce_scalar(p, x);
        }
    }
}
