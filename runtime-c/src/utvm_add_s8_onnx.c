/* Element-wise int8 add with onnxruntime's float requantization (MLAS QLinearAdd; see utvm/onnx_s8.h). */
#include <math.h>
#include "utvm/onnx_s8.h"

void utvm_add_s8_onnx(const utvm_add_params_s8_onnx *p, const int8_t *input1, const int8_t *input2,
                      int8_t *output, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const float a = (float)((int32_t)input1[i] + p->input1_offset);
        const float b = (float)((int32_t)input2[i] + p->input2_offset);
        const float v = fmaf(a, p->ratio1, fmaf(b, p->ratio2, p->fixed));
        output[i] = utvm_sat_s8(utvm_round_half_even_f32(v) + p->output_offset, p->act_min, p->act_max);
    }
}
