/* Fully connected int8, two features per multiply, 6 features per pass, input widened once (utvm/fully_connected_s8_pair_dsp.h). */
#include "utvm/fully_connected_s8_pair_dsp.h"

void utvm_fully_connected_s8_wide3_dsp(const utvm_fully_connected_params_s8 *p, const int8_t *input, const int32_t *weights,
                                      const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                                      int8_t *output, void *scratch)
{
    UTVM_FCP_KERNEL(3, (int32_t *)scratch, 1, 0);
}
