/* A global int8 pool, one band of rows at a time: the output (see utvm/pool2d.h). */
#include "utvm/pool2d.h"

void utvm_pool_finish_s8(const utvm_pool_rows_params_s8 *p, const void *accumulator, int8_t *output)
{
    const int32_t *acc = (const int32_t *)accumulator;
    const int32_t half = p->count / 2;
    for (int32_t c = 0; c < p->channels; c++) {
        int32_t v = acc[c];
        if (p->kind == 0) {
            /* Half away from zero; C division truncates toward zero. */
            v = (v > 0 ? v + half : v - half) / p->count;
        }
        if (v < p->act_min) v = p->act_min;
        if (v > p->act_max) v = p->act_max;
        output[c] = (int8_t)v;
    }
}
