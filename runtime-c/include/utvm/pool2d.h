/*
 * 2-D pooling kernels, NHWC.
 *
 *   utvm_max_pool2d_{f32,s8,u8}   maximum over the window's taps that lie inside the input;
 *   utvm_avg_pool2d_f32           sum over the taps inside the input, divided once by the window's count;
 *   utvm_avg_pool2d_s8            int8 sum divided by the count with rounding half away from zero
 *                                 (TensorFlow Lite's and CMSIS-NN's arm_avgpool_s8 rounding);
 *   utvm_global_avg_pool2d_f32    mean over all of H x W for each channel.
 * The int8 kernels clamp every output to the fused activation's range (utvm_pool2d_params_s8); input
 * and output share one quantization, so no requantization happens.
 * Padding cells are never read. For average pooling the divisor of each window is the number of its
 * taps that fall inside the "counted" rectangle [-count_pad_top, in_h + count_pad_bottom) x
 * [-count_pad_left, in_w + count_pad_right): count_pad_* = 0 counts only real cells (ONNX
 * count_include_pad=0); the model's explicit pads count them (count_include_pad=1), while the extra
 * bottom/right padding added for ceil_mode never counts. All fields are computed at compile time.
 */
#ifndef UTVM_POOL2D_H
#define UTVM_POOL2D_H

#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Input: [batch, in_h, in_w, channels]. Each >= 1. */
    int32_t batch;
    int32_t in_h;
    int32_t in_w;
    int32_t channels;
    /* Output: [batch, out_h, out_w, channels]. Each >= 1. */
    int32_t out_h;
    int32_t out_w;
    /* Window, in taps. Each >= 1. */
    int32_t kernel_h;
    int32_t kernel_w;
    /* Step between output positions, in input cells. Each >= 1. */
    int32_t stride_h;
    int32_t stride_w;
    /* Step between window taps, in input cells. Each >= 1. */
    int32_t dilation_h;
    int32_t dilation_w;
    /* Padding before the first row / column, in cells. >= 0. */
    int32_t pad_top;
    int32_t pad_left;
    /* Average pooling only (ignored by max pooling): padding cells, per side, that count in the
       divisor (see above). Each >= 0. */
    int32_t count_pad_top;
    int32_t count_pad_left;
    int32_t count_pad_bottom;
    int32_t count_pad_right;
} utvm_pool2d_params;

/*
 * The window taps k in [0, kernel) whose cell start + k * dilation lies in [lo, hi): they are exactly
 * k in [*first, *end) (an empty range has *first == *end). dilation >= 1, kernel >= 1.
 */
static inline void utvm_pool_taps(int32_t start, int32_t lo, int32_t hi, int32_t kernel, int32_t dilation,
                                  int32_t *first, int32_t *end)
{
    int32_t f = start >= lo ? 0 : (lo - start + dilation - 1) / dilation;
    int32_t e = start >= hi ? 0 : (hi - start + dilation - 1) / dilation;
    if (e > kernel) e = kernel;
    if (f > e) f = e;
    *first = f;
    *end = e;
}

typedef struct {
    /* The window geometry, as for the float kernels. */
    utvm_pool2d_params window;
    /* Activation range in output units (the fused activation; [-128, 127] for none).
       Range: -128 <= act_min <= act_max <= 127 (int16 kernels: -32768 and 32767). */
    int32_t act_min;
    int32_t act_max;
} utvm_pool2d_params_s8;

/*
 * input:  [batch, in_h, in_w, channels], contiguous.
 * output: [batch, out_h, out_w, channels], contiguous; must not overlap the input.
 * A window with no tap inside the input yields the type's lowest value (-INFINITY for float; for int8
 * the lowest value clamped to the activation range).
 */
void utvm_max_pool2d_f32(const utvm_pool2d_params *p, const float *input, float *output);
void utvm_max_pool2d_s8(const utvm_pool2d_params_s8 *p, const int8_t *input, int8_t *output);
/* int16 (16x8): as utvm_max_pool2d_s8 on int16 values. */
void utvm_max_pool2d_s16(const utvm_pool2d_params_s8 *p, const int16_t *input, int16_t *output);
void utvm_max_pool2d_u8(const utvm_pool2d_params *p, const uint8_t *input, uint8_t *output);

/*
 * input:  [batch, in_h, in_w, channels], contiguous.
 * output: [batch, out_h, out_w, channels], contiguous; must not overlap the input.
 * A window whose divisor is 0 yields 0.
 */
void utvm_avg_pool2d_f32(const utvm_pool2d_params *p, const float *input, float *output);

/*
 * output = clamp(round_half_away(sum / count), act_min, act_max), sum over the window's taps inside the
 * input (int32), count = the divisor described above (TFLite: the taps inside the input).
 * input:  int8 [batch, in_h, in_w, channels], contiguous.
 * output: int8 [batch, out_h, out_w, channels], contiguous; must not overlap the input.
 * A window whose divisor is 0 yields 0 clamped to the activation range.
 */
void utvm_avg_pool2d_s8(const utvm_pool2d_params_s8 *p, const int8_t *input, int8_t *output);
/* int16 (16x8): as utvm_avg_pool2d_s8 on int16 values (the int32 sum holds up to 65535 taps). */
void utvm_avg_pool2d_s16(const utvm_pool2d_params_s8 *p, const int16_t *input, int16_t *output);

typedef struct {
    /* Images in the batch, >= 1. */
    int32_t batch;
    /* Cells per image (in_h * in_w), >= 1. */
    int32_t size;
    /* Channels (innermost dimension), >= 1. */
    int32_t channels;
} utvm_global_pool2d_params;

/*
 * output[n][c] = mean over i < size of input[n][i][c].
 * input:  [batch, size, channels], contiguous.
 * output: [batch, channels], contiguous; used as the accumulator, so it must not overlap the input.
 */
void utvm_global_avg_pool2d_f32(const utvm_global_pool2d_params *p, const float *input, float *output);

/*
 * A global int8 pool (one window over the whole image, no padding) run a band of rows at a time, as a
 * patch stage does (src/lower/patch/stage.ts): utvm_pool_rows_s8 folds `cells` pixels of `channels`
 * channels into an int32 accumulator per channel (the sum for average, the maximum for max; `first`
 * != 0 starts it), and utvm_pool_finish_s8 turns the accumulator into the output as the whole-image
 * kernels do: the sum divided by `count` rounding half away from zero, then the activation clamp.
 * The sums are exact in int32 (count * 128 < 2^31), so the result equals utvm_{avg,max}_pool2d_s8's.
 */
typedef struct {
    /* 0: average, 1: max. */
    int32_t kind;
    /* Channels (innermost dimension), >= 1. */
    int32_t channels;
    /* Average only: the cells of the whole image (the divisor), >= 1. */
    int32_t count;
    /* Activation range, as utvm_pool2d_params_s8's. */
    int32_t act_min;
    int32_t act_max;
} utvm_pool_rows_params_s8;

/*
 * input: [cells, channels] int8, contiguous. accumulator: channels int32, 4-byte aligned (void * so it
 * may live in an int8 tile buffer).
 */
void utvm_pool_rows_s8(const utvm_pool_rows_params_s8 *p, const int8_t *input, void *accumulator, int32_t cells, int32_t first);

/* output: channels int8. The accumulator holds every cell of the image. */
void utvm_pool_finish_s8(const utvm_pool_rows_params_s8 *p, const void *accumulator, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_POOL2D_H */
