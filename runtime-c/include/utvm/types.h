/*
 * utvm runtime: basic types shared by every kernel and every generated model.
 *
 * Kernels are plain C99 functions with no allocation and no libc beyond <math.h> and <string.h>.
 * Shapes, strides, padding and multipliers are computed by the compiler and passed in `static const`
 * parameter structs; a kernel only runs.
 */
#ifndef UTVM_TYPES_H
#define UTVM_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Maximum tensor rank handled by the generic (strided) kernels. */
#define UTVM_MAX_RANK 6

/* Status returned by the model API. */
typedef enum {
    UTVM_OK = 0,
    UTVM_ERROR_BAD_ARGUMENT = 1,
    UTVM_ERROR_ARENA_TOO_SMALL = 2,
    UTVM_ERROR_ARENA_MISALIGNED = 3,
    UTVM_ERROR_NOT_INITIALIZED = 4
} utvm_status;

/* Element types of model inputs and outputs. */
typedef enum {
    UTVM_FLOAT32 = 0,
    UTVM_INT8 = 1,
    UTVM_UINT8 = 2,
    UTVM_INT16 = 3,
    UTVM_INT32 = 4,
    UTVM_INT64 = 5
} utvm_dtype;

/* Clamp applied to a kernel's output (fused Relu/Clip); [-INFINITY, INFINITY] for none. */
typedef struct {
    float min;
    float max;
} utvm_clamp_f32;

/* Description of a model input or output. */
typedef struct {
    const char *name;
    utvm_dtype dtype;
    int32_t rank;
    int32_t shape[UTVM_MAX_RANK];
    uint32_t bytes;
    /* Quantization (scale 0 for float tensors). */
    float scale;
    int32_t zero_point;
} utvm_tensor_desc;

static inline float utvm_clamp_value_f32(float v, utvm_clamp_f32 c)
{
    return v < c.min ? c.min : (v > c.max ? c.max : v);
}

#ifdef __cplusplus
}
#endif

#endif /* UTVM_TYPES_H */
