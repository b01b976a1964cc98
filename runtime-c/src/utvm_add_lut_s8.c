/* int8 ADD with table-driven input rescaling (see utvm/add_lut_s8.h). */
#include "utvm/add_lut_s8.h"

void utvm_add_lut_s8(const utvm_add_params_s8 *p, const int32_t *lut_a, const int32_t *lut_b, const int8_t *a,
                     const int8_t *b, int8_t *out, int32_t count)
{
    const int32_t multiplier = p->output_multiplier;
    const int32_t shift = p->output_shift;
    const int32_t offset = p->output_offset;
    const int32_t lo = p->act_min;
    const int32_t hi = p->act_max;
    for (int32_t i = 0; i < count; i++) {
        const int32_t sum = lut_a[(uint8_t)a[i]] + lut_b[(uint8_t)b[i]];
        out[i] = utvm_sat_s8(utvm_requantize_fast(sum, multiplier, shift) + offset, lo, hi);
    }
}
