/* int8 mean over the reduced dims with onnxruntime's float requantization (see utvm/onnx_s8.h). */
#include "utvm/onnx_s8.h"

/* Sum of input[base + offsets of the reduced dims], in int32. */
static int32_t reduce_sum(const utvm_reduce_params_s8 *p, const int8_t *input)
{
    const int32_t *n = p->reduced_shape;
    const int32_t *s = p->reduced_strides;
    int32_t sum = 0;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *row = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) sum += row[i5 * s[5]];
    }
    return sum;
}

void utvm_reduce_mean_s8_onnx(const utvm_reduce_mean_params_s8_onnx *p, const int8_t *input, int8_t *output)
{
    const utvm_reduce_params_s8 *r = &p->reduce;
    const utvm_requant_params_s8 q = { r->output_zero_point, 0, 0, -128, 127 };
    const int32_t *n = r->kept_shape;
    const int32_t *s = r->kept_strides;
    for (int32_t i0 = 0; i0 < n[0]; i0++)
    for (int32_t i1 = 0; i1 < n[1]; i1++)
    for (int32_t i2 = 0; i2 < n[2]; i2++)
    for (int32_t i3 = 0; i3 < n[3]; i3++)
    for (int32_t i4 = 0; i4 < n[4]; i4++) {
        const int8_t *base = input + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
        for (int32_t i5 = 0; i5 < n[5]; i5++) {
            *output++ = utvm_requant_onnx_s8(reduce_sum(r, base + i5 * s[5]) + r->sum_offset, p->scale, &q);
        }
    }
}
