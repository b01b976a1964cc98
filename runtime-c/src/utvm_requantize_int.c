/* Requantization between int8, int16 and int32 (see utvm/quantize.h). */
#include "utvm/quantize.h"

static int32_t load(const void *in, int32_t bytes, int32_t i)
{
    if (bytes == 1) return ((const int8_t *)in)[i];
    if (bytes == 2) return ((const int16_t *)in)[i];
    return ((const int32_t *)in)[i];
}

static void store(void *out, int32_t bytes, int32_t i, int32_t v)
{
    if (bytes == 1) ((int8_t *)out)[i] = (int8_t)v;
    else if (bytes == 2) ((int16_t *)out)[i] = (int16_t)v;
    else ((int32_t *)out)[i] = v;
}

void utvm_requantize_int(const utvm_requantize_params_int *p, const void *in, void *out)
{
    for (int32_t i = 0; i < p->count; i++) {
        /* Unsigned wrap-around, as the int32 arithmetic of TFLite's Requantize on two's complement. */
        const int32_t x = (int32_t)((uint32_t)load(in, p->in_bytes, i) + (uint32_t)p->input_offset);
        const int64_t v = (int64_t)utvm_requantize(x, p->multiplier, p->shift) + p->output_offset;
        store(out, p->out_bytes, i, (int32_t)(v < p->out_min ? p->out_min : (v > p->out_max ? p->out_max : v)));
    }
}
