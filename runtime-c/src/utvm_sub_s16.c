/* int16 SUB (16x8), both inputs with the output's element count (see utvm/binary.h). */
#include "utvm/binary.h"

void utvm_sub_s16(const utvm_add_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = utvm_sub_element_s16(p, a[i], b[i]);
    }
}
