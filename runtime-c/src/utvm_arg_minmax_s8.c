/* ARG_MAX / ARG_MIN on int8 (see utvm/arg_minmax.h). */
#include "utvm/arg_minmax.h"

void utvm_arg_minmax_s8(const utvm_arg_minmax_params *p, const int8_t *input, void *output)
{
    const int32_t inner = p->inner;
    int32_t *out32 = (int32_t *)output;
    int64_t *out64 = (int64_t *)output;
    for (int32_t o = 0; o < p->outer; o++) {
        const int8_t *block = input + (size_t)o * (size_t)p->axis_size * (size_t)inner;
        for (int32_t i = 0; i < inner; i++) {
            int8_t best = block[i];
            int32_t index = 0;
            for (int32_t k = 1; k < p->axis_size; k++) {
                const int8_t v = block[(size_t)k * (size_t)inner + (size_t)i];
                const int better = p->is_max ? v > best : v < best;
                if (better || (p->select_last && v == best)) {
                    best = v;
                    index = k;
                }
            }
            if (p->index_bytes == 8) *out64++ = index;
            else *out32++ = index;
        }
    }
}
