/*
 * ARG_MAX / ARG_MIN: the index of the largest (smallest) element along one axis, as TensorFlow Lite's
 * reference ArgMinMax: the axis's first element is the starting candidate and a later one replaces it
 * only when strictly greater (smaller), so ties go to the lowest index. With select_last (ONNX ArgMax /
 * ArgMin select_last_index=1) a later element equal to the candidate replaces it too: ties go to the
 * highest index.
 */
#ifndef UTVM_ARG_MINMAX_H
#define UTVM_ARG_MINMAX_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* The input as [outer, axis_size, inner] (row-major); each >= 1. */
    int32_t outer;
    int32_t axis_size;
    int32_t inner;
    /* 1: ARG_MAX, 0: ARG_MIN. */
    int32_t is_max;
    /* Bytes of one output index: 4 (int32) or 8 (int64). */
    int32_t index_bytes;
    /* 1: ties go to the highest index; 0: to the lowest (TFLite). */
    int32_t select_last;
} utvm_arg_minmax_params;

/*
 * output: int32 or int64 (index_bytes), [outer, inner], indices in [0, axis_size). Must not overlap the
 * input.
 */
void utvm_arg_minmax_f32(const utvm_arg_minmax_params *p, const float *input, void *output);
void utvm_arg_minmax_s8(const utvm_arg_minmax_params *p, const int8_t *input, void *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_ARG_MINMAX_H */
