/* int16 MUL (16x8), two elements a word (see utvm/mul_s16_dsp.h). */
#include "utvm/mul_s16_dsp.h"
#include "utvm/simd_s8.h"

static inline int32_t clamp_out(int32_t product, const utvm_dsp_requant *q, const utvm_mul_params_s8 *p)
{
    const int32_t y = utvm_dsp_requantize(product, q) + p->output_offset;
    return y < p->act_min ? p->act_min : (y > p->act_max ? p->act_max : y);
}

void utvm_mul_s16_dsp(const utvm_mul_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count)
{
    const utvm_dsp_requant q = utvm_dsp_requant_of(p->output_multiplier, p->output_shift);
    int32_t i = 0;
    for (; i + 2 <= count; i += 2) {
        const int32_t wa = utvm_dsp_read_s32(a + i);
        const int32_t wb = utvm_dsp_read_s32(b + i);
        int16_t y[2];
        y[0] = (int16_t)clamp_out(utvm_dsp_smlabb(wa, wb, 0), &q, p);
        y[1] = (int16_t)clamp_out(utvm_dsp_smlatt(wa, wb, 0), &q, p);
        memcpy(out + i, y, 4);
    }
    for (; i < count; i++) out[i] = utvm_mul_element_s16(p, a[i], b[i]);
}
