/* int8 maximum, four elements per word where the rows allow (see utvm/minmax_s8_dsp.h). */
#include "utvm/minmax_s8_dsp.h"

void utvm_maximum_s8_dsp(const utvm_broadcast_params *p, const int8_t *a, const int8_t *b, int8_t *out)
{
    utvm_minmax_s8_dsp(p, a, b, out, 1);
}
