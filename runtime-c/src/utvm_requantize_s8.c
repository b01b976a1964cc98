/* int8 -> int8 requantization, optionally into strided rows (see utvm/quantize.h). */
#include "utvm/quantize.h"

void utvm_requantize_s8(const utvm_requantize_params_s8 *p, const int8_t *in, int8_t *out)
{
    for (int32_t r = 0; r < p->rows; r++) {
        for (int32_t i = 0; i < p->row_size; i++) {
            const int32_t v = utvm_requantize(in[i] + p->input_offset, p->multiplier, p->shift) + p->output_offset;
            out[i] = utvm_sat_s8(v, -128, 127);
        }
        in += p->row_size;
        out += p->out_row_stride;
    }
}
