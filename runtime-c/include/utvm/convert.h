/*
 * Element-type conversions that keep every real value (quantized ONNX models, src/ops/convert.ts):
 *
 *   utvm_convert_u8_s8    out = in - 128 (uint8 -> int8; the zero point moves by -128 with it);
 *   utvm_convert_s8_u8    out = in + 128 (int8 -> uint8; the zero point moves by +128);
 *   utvm_convert_f32_s32  out = (int32_t)in for floats that hold integers of magnitude below 2^24
 *                         (integer accumulators computed in float32; the compiler checks the bound).
 * in and out may be the same buffer (each element is read before it is written); count >= 0.
 */
#ifndef UTVM_CONVERT_H
#define UTVM_CONVERT_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

void utvm_convert_u8_s8(const uint8_t *in, int8_t *out, int32_t count);
void utvm_convert_s8_u8(const int8_t *in, uint8_t *out, int32_t count);
void utvm_convert_f32_s32(const float *in, int32_t *out, int32_t count);

#ifdef __cplusplus
}
#endif

#endif
