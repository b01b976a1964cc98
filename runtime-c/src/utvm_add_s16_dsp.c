/* int16 ADD (16x8) with the short requantization (see utvm/add_s16_dsp.h). */
#include "utvm/add_s16_dsp.h"

void utvm_add_s16_dsp(const utvm_add_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count)
{
    const utvm_fast_requant qa = utvm_fast_requant_of(p->input1_multiplier, p->input1_shift);
    const utvm_fast_requant qb = utvm_fast_requant_of(p->input2_multiplier, p->input2_shift);
    const utvm_fast_requant qo = utvm_fast_requant_of(p->output_multiplier, p->output_shift);
    const int32_t ls = p->left_shift, off = p->output_offset, lo = p->act_min, hi = p->act_max;
    for (int32_t i = 0; i < count; i++) {
        const int32_t x = utvm_fast_requantize((int32_t)((uint32_t)a[i] << ls), &qa);
        const int32_t y = utvm_fast_requantize((int32_t)((uint32_t)b[i] << ls), &qb);
        int32_t v = utvm_fast_requantize(x + y, &qo) + off;
        v = v < lo ? lo : v;
        out[i] = (int16_t)(v > hi ? hi : v);
    }
}
