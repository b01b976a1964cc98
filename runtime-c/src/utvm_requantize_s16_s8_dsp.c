/* int16 -> int8 requantization with the short SMMULR form (see utvm/requantize_fast.h). */
#include "utvm/requantize_fast.h"

static inline int8_t one(int32_t x, const utvm_fast_requant *q, int32_t offset, int32_t lo, int32_t hi)
{
    return utvm_fast_clamp_s8(utvm_fast_requantize(x, q), offset, lo, hi);
}

void utvm_requantize_s16_s8_dsp(const utvm_requantize_params_int *p, const int16_t *in, int8_t *out)
{
    const utvm_fast_requant q = utvm_fast_requant_of(p->multiplier, p->shift);
    const int32_t off_in = p->input_offset, off_out = p->output_offset, lo = p->out_min, hi = p->out_max;
    const int32_t n = p->count;
    int32_t i = 0;
    /* Two elements per step, both read before either is written (out may be in). */
    for (; i + 1 < n; i += 2) {
        const int32_t a = in[i] + off_in, b = in[i + 1] + off_in;
        out[i] = one(a, &q, off_out, lo, hi);
        out[i + 1] = one(b, &q, off_out, lo, hi);
    }
    if (i < n) out[i] = one(in[i] + off_in, &q, off_out, lo, hi);
}
