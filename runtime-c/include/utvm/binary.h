/*
 * Elementwise arithmetic: add, sub, mul, div on float32; add, sub and mul on int8.
 *
 * Two variants per operator, chosen by the compiler:
 *   utvm_<op>_<type>           both inputs have the output's element count: one flat loop;
 *   utvm_<op>_broadcast_<type> numpy broadcasting, described by utvm_broadcast_params.
 * The output may be the same buffer as either input (in place); it must not partially overlap them.
 *
 * The int8 kernels are TensorFlow Lite's quantized ADD and MUL (CMSIS-NN's arm_elementwise_add_s8 /
 * arm_elementwise_mul_s8): every offset, multiplier, shift and activation bound is computed by the
 * compiler from the tensors' scales and zero points and passed in utvm_add_params_s8 /
 * utvm_mul_params_s8.
 */
#ifndef UTVM_BINARY_H
#define UTVM_BINARY_H

#include "utvm/quant.h"
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Iteration of a contiguous output over two broadcast inputs. The compiler drops size-1 dims, merges
 * dims that both inputs step over contiguously, and pads on the left to UTVM_MAX_RANK dims.
 */
typedef struct {
    /* Number of innermost rows: product of shape[0 .. UTVM_MAX_RANK-2]. Range: >= 1. */
    int32_t outer;
    /* Output shape, outermost first, padded on the left with 1s. Each >= 1. */
    int32_t shape[UTVM_MAX_RANK];
    /* Element stride of input a along each output dim; 0 on dims a is broadcast along (and padding). */
    int32_t a_strides[UTVM_MAX_RANK];
    /* Element stride of input b along each output dim; 0 on dims b is broadcast along (and padding). */
    int32_t b_strides[UTVM_MAX_RANK];
} utvm_broadcast_params;

/*
 * Steps the row index idx[0 .. UTVM_MAX_RANK-2] (odometer order, innermost dim excluded) to the next
 * row and updates the input offsets a_off, b_off (in elements) to that row's first element.
 * idx starts at all zeros with both offsets 0.
 */
static inline void utvm_broadcast_next_row(const utvm_broadcast_params *p, int32_t idx[UTVM_MAX_RANK], int32_t *a_off,
                                           int32_t *b_off)
{
    for (int32_t d = UTVM_MAX_RANK - 2; d >= 0; d--) {
        *a_off += p->a_strides[d];
        *b_off += p->b_strides[d];
        if (++idx[d] < p->shape[d]) {
            return;
        }
        *a_off -= p->a_strides[d] * p->shape[d];
        *b_off -= p->b_strides[d] * p->shape[d];
        idx[d] = 0;
    }
}

/*
 * out[i] = a[i] <op> b[i] for i in [0, count).
 * a, b, out: float32, count elements, contiguous. count >= 0.
 */
void utvm_add_f32(const float *a, const float *b, float *out, int32_t count);
void utvm_sub_f32(const float *a, const float *b, float *out, int32_t count);
void utvm_mul_f32(const float *a, const float *b, float *out, int32_t count);
void utvm_div_f32(const float *a, const float *b, float *out, int32_t count);

/*
 * out[o] = a[offset_a(o)] <op> b[offset_b(o)] over the output shape p->shape (row-major, contiguous),
 * where offset_x(o) = sum over dims d of index_d(o) * p->x_strides[d].
 * a, b: float32, laid out as described by their strides. out: float32, product of p->shape elements.
 */
void utvm_add_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_sub_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_mul_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);
void utvm_div_broadcast_f32(const utvm_broadcast_params *p, const float *a, const float *b, float *out);

/*
 * int8 ADD: both inputs are brought to a common scale with 20 bits of headroom, summed, and requantized:
 *   a' = requantize((a + input1_offset) << left_shift, input1_multiplier, input1_shift)   (same for b)
 *   out = clamp(requantize(a' + b', output_multiplier, output_shift) + output_offset, act_min, act_max)
 */
typedef struct {
    /* Minus the zero point of input a / b. Range: [-127, 128]. */
    int32_t input1_offset;
    /* Fixed-point multiplier of scale_a / (2 * max(scale_a, scale_b)). Range: [2^30, 2^31). */
    int32_t input1_multiplier;
    /* Its power-of-two exponent. Range: [-31, 0]. */
    int32_t input1_shift;
    int32_t input2_offset;
    int32_t input2_multiplier;
    int32_t input2_shift;
    /* Headroom shift applied to both offset inputs: 20 for int8. */
    int32_t left_shift;
    /* Fixed-point multiplier of 2 * max(scale_a, scale_b) / (2^left_shift * scale_out). Range: [2^30, 2^31). */
    int32_t output_multiplier;
    /* Its power-of-two exponent. Range: [-31, 0]. */
    int32_t output_shift;
    /* Zero point of the output. Range: [-128, 127]. */
    int32_t output_offset;
    /* Activation range in output units. Range: -128 <= act_min <= act_max <= 127. */
    int32_t act_min;
    int32_t act_max;
} utvm_add_params_s8;

/*
 * int8 MUL: out = clamp(requantize((a + input1_offset) * (b + input2_offset), output_multiplier,
 * output_shift) + output_offset, act_min, act_max).
 */
typedef struct {
    /* Minus the zero point of input a / b. Range: [-127, 128]. */
    int32_t input1_offset;
    int32_t input2_offset;
    /* Zero point of the output. Range: [-128, 127]. */
    int32_t output_offset;
    /* Fixed-point multiplier of scale_a * scale_b / scale_out. Range: [2^30, 2^31). */
    int32_t output_multiplier;
    /* Its power-of-two exponent (positive = left shift). Range: [-31, 30]. */
    int32_t output_shift;
    /* Activation range in output units. Range: -128 <= act_min <= act_max <= 127. */
    int32_t act_min;
    int32_t act_max;
} utvm_mul_params_s8;

/* out[i] = a[i] <op> b[i] for i in [0, count): int8, count elements each, contiguous. count >= 0. */
void utvm_add_s8(const utvm_add_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t count);
/* int16 ADD (16x8 quantization): ADD's parameters with left_shift 15 and an int16 activation range. */
void utvm_add_s16(const utvm_add_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count);
/* int8 SUB: ADD's parameters (multipliers >= 0) and arithmetic with b' subtracted (utvm_sub_element_s8). */
void utvm_sub_s8(const utvm_add_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t count);
void utvm_mul_s8(const utvm_mul_params_s8 *p, const int8_t *a, const int8_t *b, int8_t *out, int32_t count);
/* int16 SUB and MUL (16x8): the int8 parameters with left_shift 15 (SUB), zero points 0 and the int16 range. */
void utvm_sub_s16(const utvm_add_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count);
void utvm_mul_s16(const utvm_mul_params_s8 *p, const int16_t *a, const int16_t *b, int16_t *out, int32_t count);

/* As the float32 broadcast kernels, with the int8 arithmetic of utvm_add_s8 / utvm_mul_s8. */
void utvm_add_broadcast_s16(const utvm_add_params_s8 *p, const utvm_broadcast_params *bp, const int16_t *a,
                            const int16_t *b, int16_t *out);
void utvm_add_broadcast_s8(const utvm_add_params_s8 *p, const utvm_broadcast_params *bp, const int8_t *a,
                           const int8_t *b, int8_t *out);
void utvm_mul_broadcast_s8(const utvm_mul_params_s8 *p, const utvm_broadcast_params *bp, const int8_t *a,
                           const int8_t *b, int8_t *out);
void utvm_sub_broadcast_s16(const utvm_add_params_s8 *p, const utvm_broadcast_params *bp, const int16_t *a,
                            const int16_t *b, int16_t *out);
void utvm_mul_broadcast_s16(const utvm_mul_params_s8 *p, const utvm_broadcast_params *bp, const int16_t *a,
                            const int16_t *b, int16_t *out);
void utvm_sub_broadcast_s8(const utvm_add_params_s8 *p, const utvm_broadcast_params *bp, const int8_t *a,
                           const int8_t *b, int8_t *out);

/* One ADD/SUB input in the common scale: (x + offset) * 2^left_shift, requantized by its multiplier. */
static inline int32_t utvm_add_input_s8(int32_t x, int32_t offset, int32_t left_shift, int32_t multiplier, int32_t shift)
{
    return utvm_requantize((x + offset) * (1 << left_shift), multiplier, shift);
}

/* One int8 ADD element (utvm_add_params_s8 above). */
static inline int8_t utvm_add_element_s8(const utvm_add_params_s8 *p, int32_t a, int32_t b)
{
    const int32_t a_scaled = utvm_add_input_s8(a, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t b_scaled = utvm_add_input_s8(b, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    const int32_t sum = utvm_requantize(a_scaled + b_scaled, p->output_multiplier, p->output_shift) + p->output_offset;
    return utvm_sat_s8(sum, p->act_min, p->act_max);
}

/*
 * One int16 ADD element (TensorFlow Lite's 16x8 ADD): the int8 arithmetic with left_shift 15 (|x + offset|
 * <= 2^15 keeps the shifted input within int32) and the int16 activation range.
 */
static inline int16_t utvm_add_element_s16(const utvm_add_params_s8 *p, int32_t a, int32_t b)
{
    const int32_t a_scaled = utvm_add_input_s8(a, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t b_scaled = utvm_add_input_s8(b, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    const int32_t sum = utvm_requantize(a_scaled + b_scaled, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int16_t)(sum < p->act_min ? p->act_min : (sum > p->act_max ? p->act_max : sum));
}

/*
 * One int8 SUB element: a' - b' with a', b' as in ADD. Not ADD with a negated input-2 multiplier: the
 * doubling high multiply rounds exact ties up (towards +inf), so requantize(x, -m, s) can differ by one
 * from -requantize(x, m, s), and TFLite Micro subtracts.
 */
static inline int8_t utvm_sub_element_s8(const utvm_add_params_s8 *p, int32_t a, int32_t b)
{
    const int32_t a_scaled = utvm_add_input_s8(a, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t b_scaled = utvm_add_input_s8(b, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    const int32_t diff = utvm_requantize(a_scaled - b_scaled, p->output_multiplier, p->output_shift) + p->output_offset;
    return utvm_sat_s8(diff, p->act_min, p->act_max);
}

/* One int16 SUB element (16x8 SUB): utvm_sub_element_s8's arithmetic with left_shift 15 and the int16 range. */
static inline int16_t utvm_sub_element_s16(const utvm_add_params_s8 *p, int32_t a, int32_t b)
{
    const int32_t a_scaled = utvm_add_input_s8(a, p->input1_offset, p->left_shift, p->input1_multiplier, p->input1_shift);
    const int32_t b_scaled = utvm_add_input_s8(b, p->input2_offset, p->left_shift, p->input2_multiplier, p->input2_shift);
    const int32_t diff = utvm_requantize(a_scaled - b_scaled, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int16_t)(diff < p->act_min ? p->act_min : (diff > p->act_max ? p->act_max : diff));
}

/* One int8 MUL element (utvm_mul_params_s8 above). */
static inline int8_t utvm_mul_element_s8(const utvm_mul_params_s8 *p, int32_t a, int32_t b)
{
    const int32_t product = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t y = utvm_requantize(product, p->output_multiplier, p->output_shift) + p->output_offset;
    return utvm_sat_s8(y, p->act_min, p->act_max);
}

/*
 * One int16 MUL element (16x8 MUL, zero points 0, int16 activation range): |a * b| <= 2^30 fits int32.
 */
static inline int16_t utvm_mul_element_s16(const utvm_mul_params_s8 *p, int32_t a, int32_t b)
{
    const int32_t product = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t y = utvm_requantize(product, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int16_t)(y < p->act_min ? p->act_min : (y > p->act_max ? p->act_max : y));
}

#ifdef __cplusplus
}
#endif

#endif /* UTVM_BINARY_H */
