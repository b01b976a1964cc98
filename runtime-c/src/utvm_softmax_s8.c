/* Softmax, int8 in, int8 or int16 out, along one axis of an [outer, n, inner] view (see utvm/softmax.h). */
#include "utvm/softmax.h"

void utvm_softmax_s8(const utvm_softmax_params_s8 *p, const int8_t *in, int8_t *out)
{
    for (int32_t o = 0; o < p->outer; o++) {
        for (int32_t i = 0; i < p->inner; i++) {
            const size_t base = (size_t)o * (size_t)p->n * (size_t)p->inner + (size_t)i;
            utvm_softmax_line_s8(p, in + base, out + base, NULL, p->inner);
        }
    }
}
