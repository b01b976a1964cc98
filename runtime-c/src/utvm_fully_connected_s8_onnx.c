/* Dense layer, int8, with onnxruntime's float requantization (see utvm/onnx_s8.h). */
#include "utvm/onnx_s8.h"

void utvm_fully_connected_s8_onnx(const utvm_fully_connected_params_s8 *p, const int8_t *input,
                                  const int8_t *weights, const int32_t *bias, const float *scales,
                                  int8_t *output)
{
    const utvm_requant_params_s8 q = { p->output_offset, 0, 0, p->act_min, p->act_max };
    for (int32_t m = 0; m < p->batches; m++) {
        const int8_t *row = input + (size_t)m * (size_t)p->in_features;
        for (int32_t n = 0; n < p->out_features; n++) {
            const int8_t *w = weights + (size_t)n * (size_t)p->in_features;
            int32_t acc = bias != NULL ? bias[n] : 0;
            for (int32_t k = 0; k < p->in_features; k++) acc += (int32_t)w[k] * (int32_t)row[k];
            output[n] = utvm_requant_onnx_s8(acc, scales[n], &q);
        }
        output += p->out_features;
    }
}
