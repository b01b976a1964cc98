/* A global int8 pool, one band of rows at a time: the accumulation (see utvm/pool2d.h). */
#include "utvm/pool2d.h"

void utvm_pool_rows_s8(const utvm_pool_rows_params_s8 *p, const int8_t *input, void *accumulator, int32_t cells, int32_t first)
{
    int32_t *acc = (int32_t *)accumulator;
    const int32_t channels = p->channels;
    if (first) {
        for (int32_t c = 0; c < channels; c++) {
            acc[c] = p->kind == 0 ? 0 : -128;
        }
    }
    if (p->kind == 0) {
        for (int32_t i = 0; i < cells; i++) {
            const int8_t *cell = input + i * channels;
            for (int32_t c = 0; c < channels; c++) {
                acc[c] += cell[c];
            }
        }
    } else {
        for (int32_t i = 0; i < cells; i++) {
            const int8_t *cell = input + i * channels;
            for (int32_t c = 0; c < channels; c++) {
                if (cell[c] > acc[c]) {
                    acc[c] = cell[c];
                }
            }
        }
    }
}
