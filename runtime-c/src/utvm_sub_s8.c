/* int8 SUB, both inputs with the output's element count (see utvm/binary.h). */
#include "utvm/binary.h"

void utvm_sub_s8(const utvm_add_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = utvm_sub_element_s8(p, a[i], b[i]);
    }
}
