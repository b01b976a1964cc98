/*
 * int8 MAXIMUM / MINIMUM for cores with the DSP extension (chosen at lowering, src/ops/binary/minmax.ts;
 * elsewhere the instructions are their portable twins, utvm/simd_s8.h), bit-exact with utvm_maximum_s8 /
 * utvm_minimum_s8 (utvm/minmax.h), same parameters: along each row, where both inputs step by one
 * element or one of them is broadcast (stride 0), four elements per word with SSUB8 + SEL; other rows
 * element by element. The output may be a or b (in place): each word is read before it is written.
 */
#ifndef UTVM_MINMAX_S8_DSP_H
#define UTVM_MINMAX_S8_DSP_H

#include "utvm/minmax.h"
#include "utvm/simd_s8.h"

void utvm_maximum_s8_dsp(const utvm_broadcast_params *p, const int8_t *a, const int8_t *b, int8_t *out);
void utvm_minimum_s8_dsp(const utvm_broadcast_params *p, const int8_t *a, const int8_t *b, int8_t *out);

/* The shared body: is_max selects maximum (1) or minimum (0); a constant in each caller. */
static inline void utvm_minmax_s8_dsp(const utvm_broadcast_params *p, const int8_t *a, const int8_t *b, int8_t *out, int is_max)
{
    const int32_t n = p->shape[UTVM_MAX_RANK - 1];
    const int32_t sa = p->a_strides[UTVM_MAX_RANK - 1];
    const int32_t sb = p->b_strides[UTVM_MAX_RANK - 1];
    const int words = (sa == 1 || sa == 0) && (sb == 1 || sb == 0);
    int32_t idx[UTVM_MAX_RANK] = {0};
    int32_t a_off = 0;
    int32_t b_off = 0;
    for (int32_t row = 0; row < p->outer; row++) {
        const int8_t *ar = a + a_off;
        const int8_t *br = b + b_off;
        int32_t i = 0;
        if (words) {
            const int32_t a4 = (int32_t)((uint32_t)(uint8_t)ar[0] * 0x01010101u);
            const int32_t b4 = (int32_t)((uint32_t)(uint8_t)br[0] * 0x01010101u);
            for (; i + 4 <= n; i += 4) {
                const int32_t x = sa ? utvm_dsp_read_s32(ar + i) : a4;
                const int32_t y = sb ? utvm_dsp_read_s32(br + i) : b4;
                const int32_t r = is_max ? utvm_dsp_max_s8x4(x, y) : utvm_dsp_min_s8x4(x, y);
                memcpy(out + i, &r, 4);
            }
        }
        for (; i < n; i++) {
            const int8_t x = ar[i * sa];
            const int8_t y = br[i * sb];
            out[i] = is_max ? (x > y ? x : y) : (x < y ? x : y);
        }
        out += n;
        utvm_broadcast_next_row(p, idx, &a_off, &b_off);
    }
}

#endif /* UTVM_MINMAX_S8_DSP_H */
