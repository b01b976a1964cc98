/* out = exp(in) (see utvm/unary.h). */
#include "utvm/unary.h"

#include <math.h>

void utvm_exp_f32(const float *in, float *out, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        out[i] = expf(in[i]);
    }
}
