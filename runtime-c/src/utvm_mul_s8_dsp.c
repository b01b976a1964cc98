/* int8 MUL, four elements a word (see utvm/mul_s8_dsp.h). */
#include "utvm/mul_s8_dsp.h"
#include "utvm/simd_s8.h"

static inline int32_t clamp_out(int32_t product, const utvm_dsp_requant *q, const utvm_mul_params_s8 *p)
{
    const int32_t y = utvm_dsp_requantize(product, q) + p->output_offset;
    return y < p->act_min ? p->act_min : (y > p->act_max ? p->act_max : y);
}

void utvm_mul_s8_dsp(const utvm_mul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t count)
{
    const utvm_dsp_requant q = utvm_dsp_requant_of(p->output_multiplier, p->output_shift);
    const int32_t off_a = utvm_dsp_pack16(p->input1_offset, p->input1_offset);
    const int32_t off_b = utvm_dsp_pack16(p->input2_offset, p->input2_offset);
    int32_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const int32_t wa = utvm_dsp_read_s32(a + i);
        const int32_t wb = utvm_dsp_read_s32(b + i);
        const int32_t a02 = utvm_dsp_sxtab16(off_a, wa);
        const int32_t a13 = utvm_dsp_sxtab16_ror8(off_a, wa);
        const int32_t b02 = utvm_dsp_sxtab16(off_b, wb);
        const int32_t b13 = utvm_dsp_sxtab16_ror8(off_b, wb);
        const int32_t y0 = clamp_out(utvm_dsp_smlabb(a02, b02, 0), &q, p);
        const int32_t y1 = clamp_out(utvm_dsp_smlabb(a13, b13, 0), &q, p);
        const int32_t y2 = clamp_out(utvm_dsp_smlatt(a02, b02, 0), &q, p);
        const int32_t y3 = clamp_out(utvm_dsp_smlatt(a13, b13, 0), &q, p);
        const int32_t w = utvm_dsp_pack_s8x4(y0, y1, y2, y3);
        memcpy(out + i, &w, 4);
    }
    for (; i < count; i++) out[i] = utvm_mul_element_s8(p, a[i], b[i]);
}
